package main

import (
	"archive/tar"
	"compress/bzip2"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

func short(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%s...(%d bytes)...%s", s[:40], len(s), s[len(s)-20:])
	}
	return s
}

func main() {
	for _, f := range os.Args[1:] {
		fh, err := os.Open(f)
		if err != nil {
			panic(err)
		}
		var r io.Reader = fh
		if strings.HasSuffix(f, ".bz2") {
			r = bzip2.NewReader(fh)
		}
		tr := tar.NewReader(r)
		var out []string
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil && err != tar.ErrInsecurePath {
				out = append(out, "ERROR: "+err.Error())
				break
			}
			s := fmt.Sprintf("%c %s", h.Typeflag, short(h.Name))
			if h.Typeflag == '1' || h.Typeflag == '2' {
				s += " -> " + short(h.Linkname)
			}
			s += fmt.Sprintf(" size=%d", h.Size)
			if err == tar.ErrInsecurePath {
				s += " [ErrInsecurePath]"
			}
			n, rerr := io.Copy(io.Discard, tr)
			if rerr != nil {
				s += fmt.Sprintf(" [read %d: %v]", n, rerr)
				out = append(out, s)
				break
			}
			out = append(out, s)
		}
		js, _ := json.Marshal(out)
		fmt.Printf("%s\t%s\n", f, js)
		fh.Close()
	}
}
