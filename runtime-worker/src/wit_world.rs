//! A component's world as WIT text, through `wit-component`.

/// The WIT of the component in `bytes` (its package, with the world it
/// imports and exports), or why it could not be decoded.
pub fn world_text(bytes: &[u8]) -> Result<String, String> {
    let decoded = wit_component::decode(bytes).map_err(|e| format!("cannot decode the component's WIT: {e:#}"))?;
    let mut printer = wit_component::WitPrinter::default();
    printer
        .print(decoded.resolve(), decoded.package(), &[])
        .map_err(|e| format!("cannot print the component's WIT: {e:#}"))?;
    Ok(printer.output.to_string())
}
