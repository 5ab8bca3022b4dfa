// The article's program: read hello.txt and print it. Without a preopened
// directory that covers "hello.txt", Rust's standard library finds none and
// fails inside the guest, before any path_open reaches the host.
use std::fs;

fn main() {
    let contents = fs::read_to_string("hello.txt").expect("Should have been able to read the file");
    println!("WASM Read: {}", contents);
}
