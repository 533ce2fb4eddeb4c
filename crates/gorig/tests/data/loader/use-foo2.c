/* Needs foo2@FOO_2 from libfoo.so.1: a strong version need. */
#include <stdio.h>
int foo2(void);
int main(void) {
  int r = foo2();
  printf("foo2() = %d\n", r);
  return r == 43 ? 0 : 1;
}
