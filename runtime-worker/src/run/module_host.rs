//! The store's data for one run: the WASI context, the tracer, and the
//! memory limits (the store's `ResourceLimiter`, which also reports growth).

use wasmtime::{Memory, ResourceLimiter};
use wasmtime_wasi::p1::WasiP1Ctx;

use crate::boundary::event::MemoryChange;
use crate::run::guest::StackCache;
use crate::trace::recorder::Tracer;

pub(crate) struct Host {
    pub wasi: WasiP1Ctx,
    pub trace: Tracer,
    /// The guest's exported memory, found on the first WASI call.
    pub memory: Option<Memory>,
    /// The stacks its calls were made from (`RunRequest::call_stacks`).
    pub stacks: StackCache,
    /// The profile's cap on linear memory, in bytes.
    memory_cap: Option<u64>,
    /// Growth events are reported once instantiation has allocated the
    /// initial memories (those are reported as `Initial` afterwards).
    instantiated: bool,
}

/// Tables beyond this many elements are refused: a table bomb costs host
/// memory (a pointer per element) that no memory cap would catch.
const MAX_TABLE_ELEMENTS: usize = 10_000_000;

impl Host {
    pub(crate) fn new(wasi: WasiP1Ctx, trace: Tracer, memory_cap: Option<u64>) -> Host {
        Host { wasi, trace, memory: None, stacks: StackCache::default(), memory_cap, instantiated: false }
    }

    pub(crate) fn set_instantiated(&mut self) {
        self.instantiated = true;
    }
}

impl ResourceLimiter for Host {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let (from, requested) = (current as u64, desired as u64);
        let module_max = maximum.map(|m| m as u64);
        let cap = match (self.memory_cap, module_max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(cap) = cap
            && requested > cap
        {
            self.trace.memory(MemoryChange::Refused { from, requested, cap });
            return Ok(false);
        }
        if self.instantiated {
            self.trace.memory(MemoryChange::Grew { from, to: requested });
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= maximum.unwrap_or(usize::MAX).min(MAX_TABLE_ELEMENTS))
    }
}
