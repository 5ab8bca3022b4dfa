//! The recording's bytes at their smallest: LEB128 varints, zigzag for
//! numbers that may be negative, length-prefixed text, and a cursor that
//! reads them back without ever reading past the end or allocating more than
//! the bytes left could hold (a cut or damaged file is an error, not a panic).

use std::fmt;

/// Appends `value` as an unsigned LEB128 varint (1 byte below 128, at most 10).
pub fn put_u64(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a signed number: zigzag (0, -1, 1, -2 … → 0, 1, 2, 3 …), then a varint.
pub fn put_i64(out: &mut Vec<u8>, value: i64) {
    put_u64(out, ((value << 1) ^ (value >> 63)) as u64);
}

pub fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

pub fn put_str(out: &mut Vec<u8>, text: &str) {
    put_bytes(out, text.as_bytes());
}

/// `None` as 0, `Some(text)` as 1 and the text.
pub fn put_opt_str(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => out.push(0),
        Some(text) => {
            out.push(1);
            put_str(out, text);
        }
    }
}

/// `None` as 0, `Some(n)` as 1 and the varint.
pub fn put_opt_u64(out: &mut Vec<u8>, value: Option<u64>) {
    match value {
        None => out.push(0),
        Some(value) => {
            out.push(1);
            put_u64(out, value);
        }
    }
}

/// Why the bytes could not be read as what they were meant to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The bytes end in the middle of a value.
    Truncated,
    /// The bytes are there but make no sense here; the text says what.
    Invalid(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated => f.write_str("the bytes end in the middle of a value"),
            WireError::Invalid(what) => f.write_str(what),
        }
    }
}

pub type WireResult<T> = Result<T, WireError>;

pub fn invalid<T>(what: impl Into<String>) -> WireResult<T> {
    Err(WireError::Invalid(what.into()))
}

/// Reads values from a slice, front to back.
pub struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { rest: bytes }
    }

    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub fn u8(&mut self) -> WireResult<u8> {
        let (&byte, rest) = self.rest.split_first().ok_or(WireError::Truncated)?;
        self.rest = rest;
        Ok(byte)
    }

    pub fn take(&mut self, len: usize) -> WireResult<&'a [u8]> {
        let (bytes, rest) = self.rest.split_at_checked(len).ok_or(WireError::Truncated)?;
        self.rest = rest;
        Ok(bytes)
    }

    pub fn array<const N: usize>(&mut self) -> WireResult<[u8; N]> {
        let (bytes, rest) = self.rest.split_first_chunk::<N>().ok_or(WireError::Truncated)?;
        self.rest = rest;
        Ok(*bytes)
    }

    pub fn u64(&mut self) -> WireResult<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return invalid("a number is too large for 64 bits");
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        invalid("a number runs past 10 bytes")
    }

    pub fn i64(&mut self) -> WireResult<i64> {
        let zigzag = self.u64()?;
        Ok(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64))
    }

    pub fn u32(&mut self) -> WireResult<u32> {
        let value = self.u64()?;
        u32::try_from(value).or_else(|_| invalid(format!("{value} does not fit 32 bits")))
    }

    pub fn i32(&mut self) -> WireResult<i32> {
        let value = self.i64()?;
        i32::try_from(value).or_else(|_| invalid(format!("{value} does not fit 32 bits")))
    }

    pub fn bool(&mut self) -> WireResult<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => invalid(format!("{other} is not a yes or no")),
        }
    }

    /// A count of things that each take at least one byte: never more than
    /// the bytes left, so a damaged count cannot make a huge allocation.
    pub fn count(&mut self) -> WireResult<usize> {
        let count = self.u64()?;
        if count > self.rest.len() as u64 {
            return Err(WireError::Truncated);
        }
        Ok(count as usize)
    }

    pub fn bytes(&mut self) -> WireResult<&'a [u8]> {
        let len = self.u64()?;
        let len = usize::try_from(len).map_err(|_| WireError::Truncated)?;
        self.take(len)
    }

    pub fn str(&mut self) -> WireResult<&'a str> {
        std::str::from_utf8(self.bytes()?).or_else(|_| invalid("a piece of text is not UTF-8"))
    }

    pub fn string(&mut self) -> WireResult<String> {
        self.str().map(str::to_string)
    }

    pub fn opt_string(&mut self) -> WireResult<Option<String>> {
        Ok(if self.bool()? { Some(self.string()?) } else { None })
    }

    pub fn opt_u64(&mut self) -> WireResult<Option<u64>> {
        Ok(if self.bool()? { Some(self.u64()?) } else { None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_as_written_and_small_ones_take_one_byte() {
        let unsigned = [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX - 1, u64::MAX];
        let signed = [0, -1, 1, -64, 63, -65, i64::MIN, i64::MAX];
        let mut out = Vec::new();
        for v in unsigned {
            put_u64(&mut out, v);
        }
        for v in signed {
            put_i64(&mut out, v);
        }
        put_opt_u64(&mut out, None);
        put_opt_u64(&mut out, Some(u64::MAX));
        let mut cursor = Cursor::new(&out);
        for v in unsigned {
            assert_eq!(cursor.u64(), Ok(v));
        }
        for v in signed {
            assert_eq!(cursor.i64(), Ok(v));
        }
        assert_eq!(cursor.opt_u64(), Ok(None));
        assert_eq!(cursor.opt_u64(), Ok(Some(u64::MAX)));
        assert!(cursor.is_empty());

        let mut one = Vec::new();
        put_u64(&mut one, 127);
        put_i64(&mut one, -64);
        assert_eq!(one.len(), 2);
    }

    #[test]
    fn a_cut_or_damaged_value_is_an_error() {
        assert_eq!(Cursor::new(&[0x80]).u64(), Err(WireError::Truncated));
        assert!(matches!(Cursor::new(&[0xff; 11]).u64(), Err(WireError::Invalid(_))));
        // A length far beyond the bytes there.
        let mut out = Vec::new();
        put_u64(&mut out, u64::MAX);
        assert_eq!(Cursor::new(&out).bytes(), Err(WireError::Truncated));
        assert_eq!(Cursor::new(&out).count(), Err(WireError::Truncated));
        assert!(matches!(Cursor::new(&[1, 0xff]).str(), Err(WireError::Invalid(_))));
        assert!(matches!(Cursor::new(&[2]).bool(), Err(WireError::Invalid(_))));
    }
}
