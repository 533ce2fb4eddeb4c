/* Needs libbar.so.1, which needs libfoo.so.1. */
#include <stdio.h>
int bar(void);
int main(void) {
  int r = bar();
  printf("bar() = %d\n", r);
  return r == 43 ? 0 : 1;
}
