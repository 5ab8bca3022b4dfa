//! Which runs start from wasmtime's pooling allocator.
//!
//! The pooling allocator reserves slots for instances, linear memories,
//! tables and async stacks when the engine is made, and reuses them. A module
//! run again lands in a slot that still holds its memory image, so
//! instantiating it is a few system calls cheaper than mapping a fresh memory,
//! and its first call reuses a fiber stack instead of mapping one. The price is
//! limits fixed up front. A core module whose shape fits them runs pooled;
//! everything else runs on the on-demand allocator as before: components,
//! several memories or tables, shared or 64-bit memories, tables that may grow
//! past a slot, modules with very many functions, and any run beyond the
//! pool's number of slots.
//!
//! The guest cannot tell the difference. A pooled memory may grow to 4 GiB,
//! as any 32-bit memory may, and a table is pooled only when its declared
//! maximum fits its slot, so no grow that would succeed on demand fails here.

use wasmparser::{Parser, Payload, TypeRef};
use wasmtime::{Config, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Runs that may hold a pooled slot at once; more run on demand.
pub(crate) const SLOTS: u32 = 16;

/// Elements a pooled table may ever hold.
const TABLE_ELEMENTS: u64 = 100_000;

/// Tables a pooled module may have.
const TABLES_PER_MODULE: u32 = 4;

/// Bytes of an instance's `VMContext` in a slot: far more than the entities
/// admitted below can need (an imported or escaping function takes at most a
/// few dozen bytes of it).
const INSTANCE_SIZE: usize = 16 << 20;

/// Functions, globals and tags, imported or defined, that a pooled module may
/// have: each takes space in the instance's slot.
const ENTITIES: u64 = 100_000;

/// A 32-bit memory's largest size: the pool never refuses a growth that the
/// on-demand allocator would allow.
const MAX_MEMORY_BYTES: usize = 1 << 32;

/// Bytes at the start of a memory or table that a slot resets in place when
/// its run ends, instead of handing the pages back to the kernel, so that the
/// next instance there does not fault them in again.
const KEEP_RESIDENT: usize = 64 << 10;

/// Makes `config` allocate from a pool of `SLOTS` slots shaped as above.
pub(crate) fn configure(config: &mut Config) {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_core_instances(SLOTS)
        // A module that throws exceptions or uses GC types also needs a GC
        // heap, which comes from the same pool as linear memories.
        .total_memories(2 * SLOTS)
        .total_tables(SLOTS * TABLES_PER_MODULE)
        .total_stacks(SLOTS)
        .total_gc_heaps(SLOTS)
        .total_component_instances(0)
        .max_memories_per_module(1)
        .max_tables_per_module(TABLES_PER_MODULE)
        .table_elements(TABLE_ELEMENTS as usize)
        .max_core_instance_size(INSTANCE_SIZE)
        .max_memory_size(MAX_MEMORY_BYTES)
        .linear_memory_keep_resident(KEEP_RESIDENT)
        .table_keep_resident(KEEP_RESIDENT);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
}

/// Whether a core module's shape fits a pooled slot. Reads only the sections
/// before the code section: a large module is judged as quickly as a small
/// one with the same imports.
pub(crate) fn fits(bytes: &[u8]) -> bool {
    let mut memories = 0u32;
    let mut tables = 0u32;
    let mut entities = 0u64;
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(payload) = payload else { return false };
        match payload {
            Payload::Version { encoding: wasmparser::Encoding::Component, .. } => return false,
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let Ok(import) = import else { return false };
                    match import.ty {
                        TypeRef::Memory(ty) if !memory_fits(&ty) => return false,
                        TypeRef::Memory(_) => memories += 1,
                        TypeRef::Table(ty) if !table_fits(&ty) => return false,
                        TypeRef::Table(_) => tables += 1,
                        _ => entities += 1,
                    }
                }
            }
            Payload::FunctionSection(reader) => entities += u64::from(reader.count()),
            Payload::GlobalSection(reader) => entities += u64::from(reader.count()),
            Payload::TagSection(reader) => entities += u64::from(reader.count()),
            Payload::MemorySection(reader) => {
                for memory in reader {
                    match memory {
                        Ok(ty) if memory_fits(&ty) => memories += 1,
                        _ => return false,
                    }
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    match table {
                        Ok(table) if table_fits(&table.ty) => tables += 1,
                        _ => return false,
                    }
                }
            }
            // Everything that sizes a slot comes before the code.
            Payload::CodeSectionStart { .. } | Payload::End(_) => break,
            _ => {}
        }
    }
    memories <= 1 && tables <= TABLES_PER_MODULE && entities <= ENTITIES
}

fn memory_fits(ty: &wasmparser::MemoryType) -> bool {
    !ty.shared && !ty.memory64 && ty.page_size_log2.is_none()
}

fn table_fits(ty: &wasmparser::TableType) -> bool {
    !ty.table64 && ty.maximum.is_some_and(|max| max <= TABLE_ELEMENTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits_wat(wat: &str) -> bool {
        fits(&wat::parse_str(wat).unwrap())
    }

    #[test]
    fn a_plain_wasi_command_fits() {
        assert!(fits(&wat::parse_file(concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/hello.wat")).unwrap()));
        assert!(fits_wat("(module)"));
        assert!(fits_wat("(module (memory 1) (table 5 5 funcref) (func (export \"_start\")))"));
    }

    #[test]
    fn what_a_slot_cannot_hold_runs_on_demand() {
        // A table that may grow without bound, or past its slot.
        assert!(!fits_wat("(module (table 1 funcref))"));
        assert!(!fits_wat("(module (table 1 200000 funcref))"));
        // Two memories, a shared one, a 64-bit one.
        assert!(!fits_wat("(module (memory 1) (memory 1))"));
        assert!(!fits_wat("(module (memory 1 1 shared))"));
        assert!(!fits_wat("(module (memory i64 1))"));
        // A component, and bytes that are not a module.
        assert!(!fits_wat("(component)"));
        assert!(!fits(b"\0asm\x01\0\0\0\x05\xff"));
    }

    #[test]
    fn entities_are_counted_up_to_the_limit() {
        let functions = |n: u64| format!("(module {})", "(func)".repeat(n as usize));
        assert!(fits_wat(&functions(1000)));
        assert!(!fits_wat(&format!("(module (global i32 (i32.const 0)) {})", "(func)".repeat(ENTITIES as usize))));
    }
}
