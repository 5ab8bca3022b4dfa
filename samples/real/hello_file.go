// The article's program in Go. Go resolves a relative path against its
// working directory, "/", so "hello.txt" is looked up as "/hello.txt": the
// directory must be mounted at "/", not at ".".
package main

import (
	"fmt"
	"os"
)

func main() {
	contents, err := os.ReadFile("hello.txt")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("WASM Read: %s\n", contents)
}
