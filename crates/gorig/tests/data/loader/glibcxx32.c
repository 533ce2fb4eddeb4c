/* 4. GLIBCXX_3.4.32 (GCC 13+: trixie has it, bookworm's GCC 12 does not).
   Every translation unit that includes <iostream> under GCC 13+ carries
   this very reference to std::ios_base_library_init() (a .globl in the
   header), which is how ordinary C++ programs built with GCC 13/14 come to
   need GLIBCXX_3.4.32. build.sh links against the trixie root's
   libstdc++.so.6, so the host's GCC 12 is enough. */
#include <stdio.h>

__asm__(".globl _ZSt21ios_base_library_initv");

int main(void) {
  puts("hello, GLIBCXX_3.4.32");
  return 0;
}
