// go-cgo: a cgo program (dynamically linked against libc.so.6 through the C
// compiler). build-go.sh builds it against the compiler's glibc (bookworm, 2.36:
// needs GLIBC_2.34) and against bullseye's 2.31 (-b11); it prints "hello" and exits 0.
package main

/*
#include <stdio.h>
static void hello(void) { puts("hello"); fflush(stdout); }
*/
import "C"

func main() {
	C.hello()
}
