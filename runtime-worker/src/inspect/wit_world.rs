//! A component's world as WIT text, through `wit-component`.

use wit_parser::decoding::DecodedWasm;

/// Decodes the component in `bytes` to its WIT, or says why it could not.
pub(crate) fn decode(bytes: &[u8]) -> Result<DecodedWasm, String> {
    wit_component::decode(bytes).map_err(|e| format!("cannot decode the component's WIT: {e:#}"))
}

/// The decoded component as WIT text: its package, with the world it
/// imports and exports.
pub(crate) fn print(decoded: &DecodedWasm) -> Result<String, String> {
    let mut printer = wit_component::WitPrinter::default();
    printer
        .print(decoded.resolve(), decoded.package(), &[])
        .map_err(|e| format!("cannot print the component's WIT: {e:#}"))?;
    Ok(printer.output.to_string())
}
