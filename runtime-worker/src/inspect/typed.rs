//! A component's exported functions with their WIT types, read from the
//! component's own type information (no compiling), so that a window can
//! build a form for a call and a command line can list what can be called.
//! Values travel as WAVE text (`{id: 1, name: "ada"}`), the syntax of
//! `wasmtime run --invoke`; the engine parses them against the real types.

use wit_parser::{Resolve, Type, TypeDefKind, WorldItem};

/// A WIT type, resolved into a tree a form can be built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WitType {
    Bool,
    /// `s8` … `u64`, by name.
    Int(&'static str),
    /// `f32` or `f64`.
    Float(&'static str),
    Char,
    String,
    List(Box<WitType>),
    Record {
        name: Option<String>,
        fields: Vec<(String, WitType)>,
    },
    Tuple(Vec<WitType>),
    Variant {
        name: Option<String>,
        cases: Vec<(String, Option<WitType>)>,
    },
    Enum {
        name: Option<String>,
        cases: Vec<String>,
    },
    Flags {
        name: Option<String>,
        flags: Vec<String>,
    },
    Option(Box<WitType>),
    Result {
        ok: Option<Box<WitType>>,
        err: Option<Box<WitType>>,
    },
    /// A resource handle, or anything else a form cannot build by hand.
    Other(String),
}

impl WitType {
    /// The type as WIT writes it: named types by name, the rest spelled out.
    pub fn wit(&self) -> String {
        match self {
            WitType::Bool => "bool".into(),
            WitType::Int(name) | WitType::Float(name) => (*name).into(),
            WitType::Char => "char".into(),
            WitType::String => "string".into(),
            WitType::List(inner) => format!("list<{}>", inner.wit()),
            WitType::Option(inner) => format!("option<{}>", inner.wit()),
            WitType::Tuple(types) => {
                format!("tuple<{}>", types.iter().map(WitType::wit).collect::<Vec<_>>().join(", "))
            }
            WitType::Result { ok, err } => match (ok, err) {
                (None, None) => "result".into(),
                (Some(ok), None) => format!("result<{}>", ok.wit()),
                (None, Some(err)) => format!("result<_, {}>", err.wit()),
                (Some(ok), Some(err)) => format!("result<{}, {}>", ok.wit(), err.wit()),
            },
            WitType::Record { name: Some(name), .. }
            | WitType::Variant { name: Some(name), .. }
            | WitType::Enum { name: Some(name), .. }
            | WitType::Flags { name: Some(name), .. } => name.clone(),
            WitType::Record { fields, .. } => {
                let fields: Vec<String> = fields.iter().map(|(n, t)| format!("{n}: {}", t.wit())).collect();
                format!("record {{ {} }}", fields.join(", "))
            }
            WitType::Variant { cases, .. } => {
                let cases: Vec<String> = cases
                    .iter()
                    .map(|(n, t)| t.as_ref().map_or_else(|| n.clone(), |t| format!("{n}({})", t.wit())))
                    .collect();
                format!("variant {{ {} }}", cases.join(", "))
            }
            WitType::Enum { cases, .. } => format!("enum {{ {} }}", cases.join(", ")),
            WitType::Flags { flags, .. } => format!("flags {{ {} }}", flags.join(", ")),
            WitType::Other(text) => text.clone(),
        }
    }

    /// A value of this type to start a form with, as WAVE text: zeros,
    /// empty strings and lists, the first case.
    pub fn default_wave(&self) -> String {
        match self {
            WitType::Bool => "false".into(),
            WitType::Int(_) => "0".into(),
            WitType::Float(_) => "0.0".into(),
            WitType::Char => "'a'".into(),
            WitType::String => "\"\"".into(),
            WitType::List(_) | WitType::Flags { .. } => {
                if matches!(self, WitType::List(_)) {
                    "[]".into()
                } else {
                    "{}".into()
                }
            }
            WitType::Record { fields, .. } => {
                let fields: Vec<String> = fields.iter().map(|(n, t)| format!("{n}: {}", t.default_wave())).collect();
                format!("{{{}}}", fields.join(", "))
            }
            WitType::Tuple(types) => {
                format!("({})", types.iter().map(WitType::default_wave).collect::<Vec<_>>().join(", "))
            }
            WitType::Variant { cases, .. } => match cases.first() {
                Some((name, Some(ty))) => format!("{}({})", wave_label(name), ty.default_wave()),
                Some((name, None)) => wave_label(name),
                None => String::new(),
            },
            WitType::Enum { cases, .. } => cases.first().map(|c| wave_label(c)).unwrap_or_default(),
            WitType::Option(_) => "none".into(),
            WitType::Result { ok, .. } => match ok {
                Some(ok) => format!("ok({})", ok.default_wave()),
                None => "ok".into(),
            },
            WitType::Other(_) => String::new(),
        }
    }
}

/// A case or flag name as WAVE writes it: names that are WAVE keywords
/// (`ok`, `none`, `true`…) take a `%` prefix.
pub fn wave_label(name: &str) -> String {
    const KEYWORDS: [&str; 8] = ["true", "false", "some", "none", "ok", "err", "inf", "nan"];
    if KEYWORDS.contains(&name) { format!("%{name}") } else { name.to_string() }
}

/// One function a component exports, with its WIT types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedFunction {
    /// The exported interface (`wasmscope:db/database-connector`), or `None`
    /// for a function the world exports directly.
    pub interface: Option<String>,
    pub function: String,
    pub params: Vec<(String, WitType)>,
    pub result: Option<WitType>,
    /// An `async func` (WASI 0.3's component model): called the same way,
    /// but it may await the host, so it can be stopped while it waits.
    pub is_async: bool,
}

impl TypedFunction {
    /// The name to call it by: `interface#function`, or the function alone.
    pub fn path(&self) -> String {
        match &self.interface {
            Some(interface) => format!("{interface}#{}", self.function),
            None => self.function.clone(),
        }
    }

    /// `execute-query: func(sql: string) -> list<query-result>`
    pub fn signature(&self) -> String {
        let params: Vec<String> = self.params.iter().map(|(n, t)| format!("{n}: {}", t.wit())).collect();
        let result = self.result.as_ref().map(|r| format!(" -> {}", r.wit())).unwrap_or_default();
        let kind = if self.is_async { "async func" } else { "func" };
        format!("{}: {kind}({}){result}", self.function, params.join(", "))
    }
}

/// The functions the component in `bytes` exports (those of `wasi:cli/run`
/// included), or why its types could not be read.
pub fn exported_functions(bytes: &[u8]) -> Result<Vec<TypedFunction>, String> {
    from_decoded(&crate::inspect::wit_world::decode(bytes)?)
}

/// The same, from a component already decoded.
pub(crate) fn from_decoded(decoded: &wit_parser::decoding::DecodedWasm) -> Result<Vec<TypedFunction>, String> {
    let wit_parser::decoding::DecodedWasm::Component(resolve, world) = decoded else {
        return Err("this is a WIT package, not a component: it has no functions to call".into());
    };
    let mut out = Vec::new();
    for (key, item) in &resolve.worlds[*world].exports {
        match item {
            WorldItem::Function(func) => out.push(typed(resolve, None, func)),
            WorldItem::Interface { id, .. } => {
                let name = resolve.name_world_key(key);
                for func in resolve.interfaces[*id].functions.values() {
                    out.push(typed(resolve, Some(name.clone()), func));
                }
            }
            WorldItem::Type { .. } => {}
        }
    }
    Ok(out)
}

fn typed(resolve: &Resolve, interface: Option<String>, func: &wit_parser::Function) -> TypedFunction {
    TypedFunction {
        interface,
        function: func.name.clone(),
        params: func.params.iter().map(|p| (p.name.clone(), convert(resolve, &p.ty, 0))).collect(),
        result: func.result.as_ref().map(|t| convert(resolve, t, 0)),
        is_async: func.kind.is_async(),
    }
}

/// Types nest; a recursive-looking chain this deep is cut (WIT has no
/// recursive types, so only a hostile component gets here).
const MAX_DEPTH: usize = 32;

fn convert(resolve: &Resolve, ty: &Type, depth: usize) -> WitType {
    if depth > MAX_DEPTH {
        return WitType::Other("…".into());
    }
    let next = |t: &Type| convert(resolve, t, depth + 1);
    match ty {
        Type::Bool => WitType::Bool,
        Type::U8 => WitType::Int("u8"),
        Type::U16 => WitType::Int("u16"),
        Type::U32 => WitType::Int("u32"),
        Type::U64 => WitType::Int("u64"),
        Type::S8 => WitType::Int("s8"),
        Type::S16 => WitType::Int("s16"),
        Type::S32 => WitType::Int("s32"),
        Type::S64 => WitType::Int("s64"),
        Type::F32 => WitType::Float("f32"),
        Type::F64 => WitType::Float("f64"),
        Type::Char => WitType::Char,
        Type::String => WitType::String,
        Type::ErrorContext => WitType::Other("error-context".into()),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            let name = def.name.clone();
            match &def.kind {
                TypeDefKind::Record(r) => {
                    WitType::Record { name, fields: r.fields.iter().map(|f| (f.name.clone(), next(&f.ty))).collect() }
                }
                TypeDefKind::Tuple(t) => WitType::Tuple(t.types.iter().map(next).collect()),
                TypeDefKind::Variant(v) => WitType::Variant {
                    name,
                    cases: v.cases.iter().map(|c| (c.name.clone(), c.ty.as_ref().map(next))).collect(),
                },
                TypeDefKind::Enum(e) => WitType::Enum { name, cases: e.cases.iter().map(|c| c.name.clone()).collect() },
                TypeDefKind::Flags(f) => {
                    WitType::Flags { name, flags: f.flags.iter().map(|f| f.name.clone()).collect() }
                }
                TypeDefKind::Option(t) => WitType::Option(Box::new(next(t))),
                TypeDefKind::Result(r) => WitType::Result {
                    ok: r.ok.as_ref().map(|t| Box::new(next(t))),
                    err: r.err.as_ref().map(|t| Box::new(next(t))),
                },
                TypeDefKind::List(t) => WitType::List(Box::new(next(t))),
                TypeDefKind::Type(t) => next(t),
                TypeDefKind::Handle(_) | TypeDefKind::Resource => {
                    WitType::Other(format!("resource {}", name.unwrap_or_default()))
                }
                other => WitType::Other(format!("{other:?}").split('(').next().unwrap_or("?").to_lowercase()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_wave_shapes() {
        let record = WitType::Record {
            name: Some("query-result".into()),
            fields: vec![("id".into(), WitType::Int("u32")), ("name".into(), WitType::String)],
        };
        assert_eq!(record.default_wave(), "{id: 0, name: \"\"}");
        assert_eq!(record.wit(), "query-result");
        assert_eq!(WitType::List(Box::new(record)).wit(), "list<query-result>");
        let result = WitType::Result { ok: Some(Box::new(WitType::Bool)), err: Some(Box::new(WitType::String)) };
        assert_eq!(result.default_wave(), "ok(false)");
        assert_eq!(result.wit(), "result<bool, string>");
        assert_eq!(WitType::Option(Box::new(WitType::Char)).default_wave(), "none");
        let variant = WitType::Variant { name: None, cases: vec![("n".into(), Some(WitType::Int("s64")))] };
        assert_eq!(variant.default_wave(), "n(0)");
        let status = WitType::Enum { name: None, cases: vec!["ok".into(), "not-found".into()] };
        assert_eq!(status.default_wave(), "%ok");
    }
}
