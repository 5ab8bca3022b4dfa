//! A copy of `samples/components/tools/componentize-p1`, extended for the
//! composition samples. Same pinned generation as wasmtime 48.0.8:
//! wit-component 0.254.2 and the 48.0.8 preview1 adapters.
//!
//! ```text
//! p1-component wrap [--wit DIR --world NAME] [--reactor] [--language NAME VERSION] IN.wasm OUT.wasm
//!     Optionally embeds the WIT world (a `component-type` custom section, as
//!     `wasm-tools component embed` does), optionally adds `language: NAME VERSION`
//!     to the core module's producers section, then wraps the preview1 core module
//!     into a component with the 48.0.8 command adapter (default) or reactor
//!     adapter (`--reactor`), as `wasm-tools component new --adapt` does.
//! p1-component add-producer FILE.wasm FIELD NAME VERSION
//!                                   merges `FIELD: NAME VERSION` into the producers
//!                                   section of FILE (module or outer component), in place
//! p1-component wit FILE.wasm        prints a component's WIT world
//! p1-component producers FILE.wasm  prints the producers section of the file and
//!                                   of every component/module nested in it
//! p1-component validate FILE.wasm   validates with every wasm feature on
//! ```

use anyhow::{bail, Context, Result};
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER, WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};
use wit_component::{ComponentEncoder, DecodedWasm, StringEncoding, WitPrinter};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: p1-component wrap [--wit DIR --world NAME] [--reactor] [--language NAME VERSION] IN OUT \
                 | add-producer FILE FIELD NAME VERSION | wit FILE | producers FILE | validate FILE";
    match args.first().map(String::as_str) {
        Some("wrap") => wrap(&args[1..]),
        Some("add-producer") if args.len() == 5 => add_producer(&args[1], &args[2], &args[3], &args[4]),
        Some("wit") if args.len() == 2 => print_wit(&args[1]),
        Some("producers") if args.len() == 2 => print_producers(&args[1]),
        Some("validate") if args.len() == 2 => validate(&args[1]),
        _ => bail!("{usage}"),
    }
}

fn wrap(args: &[String]) -> Result<()> {
    let (mut wit, mut world, mut reactor, mut language) = (None, None, false, None);
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--wit" => wit = Some(it.next().context("--wit DIR")?.clone()),
            "--world" => world = Some(it.next().context("--world NAME")?.clone()),
            "--reactor" => reactor = true,
            "--language" => {
                let name = it.next().context("--language NAME VERSION")?.clone();
                let version = it.next().context("--language NAME VERSION")?.clone();
                language = Some((name, version));
            }
            _ => files.push(a.clone()),
        }
    }
    let [input, output] = files.as_slice() else { bail!("wrap needs IN.wasm OUT.wasm") };
    let mut module = std::fs::read(input).with_context(|| format!("reading {input}"))?;

    if let Some((name, version)) = &language {
        let mut producers = wasm_metadata::Producers::empty();
        producers.add("language", name, version);
        module = producers.add_to_wasm(&module).context("adding the producers section")?;
    }
    if let Some(dir) = &wit {
        let mut resolve = wit_parser::Resolve::default();
        let (pkg, _) = resolve.push_path(dir).with_context(|| format!("parsing WIT in {dir}"))?;
        let world = resolve.select_world(&[pkg], world.as_deref())?;
        wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)?;
    }

    let adapter = if reactor {
        WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER
    } else {
        WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER
    };
    let component = ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .context("parsing the core module")?
        .adapter("wasi_snapshot_preview1", adapter)
        .context("adding the preview1 adapter")?
        .encode()
        .context("encoding the component")?;
    std::fs::write(output, &component).with_context(|| format!("writing {output}"))?;
    eprintln!("{output}: {} bytes", component.len());
    Ok(())
}

fn add_producer(file: &str, field: &str, name: &str, version: &str) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
    let mut producers = wasm_metadata::Producers::empty();
    producers.add(field, name, version);
    let out = producers.add_to_wasm(&bytes).context("adding to the producers section")?;
    std::fs::write(file, &out).with_context(|| format!("writing {file}"))?;
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

fn print_producers(input: &str) -> Result<()> {
    use wasmparser::{KnownCustom, Parser, Payload};
    let bytes = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    // parse_all walks nested modules and components too; each one starts with a
    // Version payload and finishes with End.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload? {
            Payload::Version { encoding, range, .. } => {
                let kind = match encoding {
                    wasmparser::Encoding::Component => "component",
                    wasmparser::Encoding::Module => "module",
                };
                println!("{}{kind} at byte {}", "  ".repeat(depth), range.start);
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::CustomSection(c) => {
                if let KnownCustom::Producers(reader) = c.as_known() {
                    for field in reader {
                        let field = field?;
                        let mut values = Vec::new();
                        for v in field.values {
                            let v = v?;
                            values.push(if v.version.is_empty() { v.name.to_string() } else { format!("{} {}", v.name, v.version) });
                        }
                        println!("{}{}: {}", "  ".repeat(depth), field.name, values.join(", "));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn validate(input: &str) -> Result<()> {
    let bytes = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .with_context(|| format!("{input} is not valid"))?;
    println!("{input}: valid");
    Ok(())
}
