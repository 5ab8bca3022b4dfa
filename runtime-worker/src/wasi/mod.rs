//! WASI as data: preview1's functions, parameters, errno and flag names
//! (`abi`), and the capabilities imports belong to (`capability`).

pub mod abi;
pub mod capability;
