/* foo2@FOO_2 referenced weakly only: ld marks the FOO_2 need VER_FLG_WEAK.
   Exits 0 whether or not libfoo.so.1 has foo2. */
#include <stdio.h>
int foo(void);
extern int foo2(void) __attribute__((weak));
int main(void) {
  int r = foo();
  printf("foo() = %d, foo2 %s\n", r, foo2 ? "present" : "absent");
  return r == 42 ? 0 : 1;
}
