// Command govercmp prints the standard library's go/version judgement over a
// list of Go versions, as an oracle for gorig's own version comparison.
//
// It reads versions from stdin, one per line. Each line is taken verbatim:
// only the "\n" terminator is removed (a "\r" before it is kept and makes the
// version invalid, as it would for Go), and an empty line is the empty
// version "". There are no comments.
//
// By default each line is given to go/version as it is, so it must carry the
// "go" prefix, as in go/version's own API: "go1.21rc2", "go1.21.0-bigcorp".
// "1.21" is invalid there.
//
// With -bare, each line is read as a bare version, the way cmd/go reads go
// lines in go.mod and go.work (its internal/gover package: "1.21rc2",
// "1.21.0"). The program then asks go/version about "go"+line, except that a
// line containing "-" is treated as invalid. That is exactly internal/gover:
// go/version.X("go"+s) == gover.X(s) for any s without "-", and gover rejects
// every s with "-" (go/version would cut it off as a "-custom" suffix).
// In -bare mode the lang field is printed without the "go" prefix ("1.21"),
// as gover.Lang returns it.
//
// Output, default (tab-separated, one record per line):
//
//	V<TAB>index<TAB>valid<TAB>lang<TAB>input
//	C<TAB>a index<TAB>b index<TAB>cmp
//
// All V lines come first, in input order, indexes counting from 0; valid is
// 1 or 0 (version.IsValid); lang is version.Lang ("" when invalid); input is
// the line as read and is the last field, so it may itself contain tabs.
// Then one C line for every ordered pair (a, b), a and b over all indexes
// (a == b included), a-major order, with cmp = version.Compare(a, b) as
// -1, 0 or 1. n inputs give n V lines and n*n C lines.
//
// Output with -json (JSON lines, same order):
//
//	{"v":"go1.21","valid":true,"lang":"go1.21"}
//	{"a":"go1.21","b":"go1.21.0","cmp":-1}
//
// Usage, from this directory:
//
//	GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off go run . < inputs.txt
//	GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off go run . -bare < bare.txt
//
// go/version needs a Go 1.22 or newer toolchain to build.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"go/version"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	bare := flag.Bool("bare", false, "read bare versions (\"1.21\") as cmd/go's internal/gover does")
	jsonOut := flag.Bool("json", false, "print JSON lines instead of tab-separated records")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: govercmp [-bare] [-json] < versions")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "govercmp:", err)
		os.Exit(1)
	}
	text := string(data)
	text = strings.TrimSuffix(text, "\n") // the last line's terminator, if any
	var inputs []string
	if len(data) > 0 {
		inputs = strings.Split(text, "\n")
	}

	// What go/version is asked about for each input.
	asked := make([]string, len(inputs))
	for i, in := range inputs {
		switch {
		case !*bare:
			asked[i] = in
		case strings.Contains(in, "-"):
			asked[i] = "" // invalid for internal/gover; "" is invalid for go/version too
		default:
			asked[i] = "go" + in
		}
	}

	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer w.Flush()

	quoted := make([]string, len(inputs)) // JSON strings, for -json
	for i, in := range inputs {
		valid := version.IsValid(asked[i])
		lang := version.Lang(asked[i])
		if *bare {
			lang = strings.TrimPrefix(lang, "go")
		}
		if *jsonOut {
			quoted[i] = jsonString(in)
			fmt.Fprintf(w, "{\"v\":%s,\"valid\":%t,\"lang\":%s}\n", quoted[i], valid, jsonString(lang))
		} else {
			v := "0"
			if valid {
				v = "1"
			}
			w.WriteString("V\t" + strconv.Itoa(i) + "\t" + v + "\t" + lang + "\t" + in + "\n")
		}
	}

	for a := range inputs {
		for b := range inputs {
			c := version.Compare(asked[a], asked[b])
			if *jsonOut {
				fmt.Fprintf(w, "{\"a\":%s,\"b\":%s,\"cmp\":%d}\n", quoted[a], quoted[b], c)
			} else {
				w.WriteString("C\t" + strconv.Itoa(a) + "\t" + strconv.Itoa(b) + "\t" + strconv.Itoa(c) + "\n")
			}
		}
	}
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // cannot happen for a string
	}
	return string(b)
}
