// go-hello: a Go program with no cgo (CGO_ENABLED=0: static, no PT_INTERP).
// build-go.sh builds it for amd64, 386 and arm64; it prints "hello" and exits 0.
package main

import "os"

func main() {
	os.Stdout.WriteString("hello\n")
}
