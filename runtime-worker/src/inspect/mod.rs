//! Reading a module's bytes without running them: loading `.wasm` or `.wat`
//! (`load`), sections, imports and the capabilities they ask for
//! (`inspection`), a component's WIT world (`wit_world`) and typed exports
//! (`typed`), what a composed component is made of (`composition`), and the
//! disassembly (`disassembly`).

pub mod composition;
pub mod disassembly;
pub mod inspection;
pub mod load;
pub mod typed;
pub(crate) mod wit_world;

pub use inspection::{
    ComponentInfo, CustomSections, DataSegment, Export, GlobalInfo, Import, InspectError, Inspection, MemoryInfo,
    Section, TableInfo, inspect, inspect_bytes, language_of,
};
