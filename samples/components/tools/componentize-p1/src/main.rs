//! `componentize-p1 wrap IN.wasm OUT.wasm` turns a WASI preview1 core module
//! (a command: exports `_start`) into a WASI 0.2 command component that exports
//! `wasi:cli/run`, using wasmtime 48.0.8's preview1 command adapter.
//!
//! `componentize-p1 wit FILE.wasm` prints the WIT world of a component, with the
//! non-WASI packages it uses (for example `wasmscope:db`) nested below it.

use anyhow::{bail, Context, Result};
use wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER;
use wit_component::{ComponentEncoder, DecodedWasm, WitPrinter};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["wrap", input, output] => wrap(input, output),
        ["wit", input] => print_wit(input),
        _ => bail!("usage: componentize-p1 wrap IN.wasm OUT.wasm | componentize-p1 wit FILE.wasm"),
    }
}

fn wrap(input: &str, output: &str) -> Result<()> {
    let module = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    let component = ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .context("parsing the core module")?
        .adapter("wasi_snapshot_preview1", WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER)
        .context("adding the preview1 command adapter")?
        .encode()
        .context("encoding the component")?;
    std::fs::write(output, &component).with_context(|| format!("writing {output}"))?;
    eprintln!("{output}: {} bytes", component.len());
    Ok(())
}

fn print_wit(input: &str) -> Result<()> {
    let bytes = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    let decoded = wit_component::decode(&bytes).context("decoding the component")?;
    let (resolve, package) = match &decoded {
        DecodedWasm::Component(resolve, world) => (resolve, resolve.worlds[*world].package.unwrap()),
        DecodedWasm::WitPackage(resolve, package) => (resolve, *package),
    };
    let nested: Vec<_> = resolve
        .packages
        .iter()
        .filter(|(id, p)| *id != package && p.name.namespace != "wasi")
        .map(|(id, _)| id)
        .collect();
    let mut printer = WitPrinter::default();
    printer.print(resolve, package, &nested)?;
    print!("{}", printer.output);
    Ok(())
}
