/* 1. Plain C: needs only libc.so.6 (built on bookworm: GLIBC_2.34, from
   __libc_start_main; built against the bullseye sysroot: GLIBC_2.2.5 etc.). */
#include <stdio.h>

int main(void) {
  puts("hello");
  return 0;
}
