//! Widgets more than one panel draws, so that each is drawn one way: the
//! calls table of both Calls views and its detail pane, the capability chip,
//! byte sizes.

pub mod call_detail;
pub mod call_table;
pub mod chip;

pub use call_detail::{DetailPane, detail_pane, field};
pub use call_table::{
    ARGUMENTS, CallBasics, CallColumn, CallRow, CallTable, ColumnWidth, SearchBox, call_counts, cell, search_and_follow,
};
pub use chip::chip;

/// A byte count for people: `512 B`, `1.5 KiB`, `16.0 MiB`, `1.00 GiB`.
pub fn format_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b if b < 1 << 30 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b => format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_read_in_binary_units() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_bytes(16 << 20), "16.0 MiB");
        assert_eq!(format_bytes(1 << 30), "1.00 GiB");
    }
}
