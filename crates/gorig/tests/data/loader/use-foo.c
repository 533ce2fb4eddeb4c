/* Needs libfoo.so.1 (FOO_1). Exits 0 when foo() answers. */
#include <stdio.h>
int foo(void);
int main(void) {
  int r = foo();
  printf("foo() = %d\n", r);
  return r == 42 ? 0 : 1;
}
