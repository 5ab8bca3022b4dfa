//! Component types written as WIT text, for messages: a typed call's
//! parameters, and why a swapped part does not fit where it is put.

use wasmtime::component::types::ComponentFunc;

/// `func(sql: string) -> list<record { id: u64, payload: string }>`.
pub(crate) fn func_text(ty: &ComponentFunc) -> String {
    let params: Vec<String> = ty.params().map(|(name, ty)| format!("{name}: {}", type_name(&ty))).collect();
    let results: Vec<String> = ty.results().map(|ty| type_name(&ty)).collect();
    let asynchronous = if ty.async_() { "async " } else { "" };
    match results.len() {
        0 => format!("{asynchronous}func({})", params.join(", ")),
        _ => format!("{asynchronous}func({}) -> {}", params.join(", "), results.join(", ")),
    }
}

/// A component value type written as WIT (structurally: records and
/// variants show their fields, since the engine does not keep their names).
pub(crate) fn type_name(ty: &wasmtime::component::Type) -> String {
    use wasmtime::component::Type as T;
    match ty {
        T::Bool => "bool".into(),
        T::S8 => "s8".into(),
        T::U8 => "u8".into(),
        T::S16 => "s16".into(),
        T::U16 => "u16".into(),
        T::S32 => "s32".into(),
        T::U32 => "u32".into(),
        T::S64 => "s64".into(),
        T::U64 => "u64".into(),
        T::Float32 => "f32".into(),
        T::Float64 => "f64".into(),
        T::Char => "char".into(),
        T::String => "string".into(),
        T::List(list) => format!("list<{}>", type_name(&list.ty())),
        T::Record(record) => {
            let fields: Vec<String> = record.fields().map(|f| format!("{}: {}", f.name, type_name(&f.ty))).collect();
            format!("record {{ {} }}", fields.join(", "))
        }
        T::Tuple(tuple) => {
            let types: Vec<String> = tuple.types().map(|t| type_name(&t)).collect();
            format!("tuple<{}>", types.join(", "))
        }
        T::Variant(variant) => {
            let cases: Vec<String> = variant
                .cases()
                .map(|c| match c.ty {
                    Some(ty) => format!("{}({})", c.name, type_name(&ty)),
                    None => c.name.to_string(),
                })
                .collect();
            format!("variant {{ {} }}", cases.join(", "))
        }
        T::Enum(e) => format!("enum {{ {} }}", e.names().collect::<Vec<_>>().join(", ")),
        T::Option(option) => format!("option<{}>", type_name(&option.ty())),
        T::Result(result) => {
            let ok = result.ok().map_or("_".to_string(), |t| type_name(&t));
            let err = result.err().map_or("_".to_string(), |t| type_name(&t));
            format!("result<{ok}, {err}>")
        }
        T::Flags(flags) => format!("flags {{ {} }}", flags.names().collect::<Vec<_>>().join(", ")),
        T::Own(_) => "own<resource>".into(),
        T::Borrow(_) => "borrow<resource>".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}
