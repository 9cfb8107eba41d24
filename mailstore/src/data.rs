//! Message bytes handed out to readers.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;

/// Ranges up to this size (1 MiB) are read into memory at once; larger ones stream.
pub const READ_WHOLE_MAX: u64 = 1 << 20;

/// The read buffer of a streamed range.
const STREAM_BUFFER: usize = 64 * 1024;

/// Bytes of a message or of one of its sections, read on demand.
///
/// Implements [`Read`]; [`MessageData::len`] tells the exact length in advance, as an
/// IMAP literal `{n}` or a POP3 listing needs it. A byte range of a stored file larger
/// than [`READ_WHOLE_MAX`] is streamed from disk (a 50 MB message is never loaded
/// whole); smaller ranges and computed sections (`HEADER.FIELDS`, `BINARY`) are in
/// memory.
#[derive(Debug)]
pub struct MessageData {
    len: u64,
    source: Source,
}

#[derive(Debug)]
enum Source {
    Memory(Cursor<Vec<u8>>),
    File(io::Take<BufReader<File>>),
}

impl MessageData {
    /// Bytes held in memory.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        Self {
            len: bytes.len() as u64,
            source: Source::Memory(Cursor::new(bytes)),
        }
    }

    /// `len` bytes of `file` from `offset`: up to [`READ_WHOLE_MAX`] read at once into
    /// one buffer of exactly that size (one positioned read, no seek, no buffer to grow),
    /// larger ranges streamed from the file as the caller reads.
    ///
    /// # Errors
    /// The I/O error of reading; `UnexpectedEof` when the file is shorter than the
    /// index says (another tool changed it).
    pub(crate) fn read_file(file: File, offset: u64, len: u64) -> io::Result<Self> {
        if len <= READ_WHOLE_MAX {
            // `len` fits: READ_WHOLE_MAX is far below usize::MAX.
            let mut bytes = vec![0; usize::try_from(len).unwrap_or(0)];
            file.read_exact_at(&mut bytes, offset)?;
            return Ok(Self::from_vec(bytes));
        }
        Self::from_file(file, offset, len)
    }

    /// `len` bytes of `file` from `offset`, streamed.
    fn from_file(mut file: File, offset: u64, len: u64) -> io::Result<Self> {
        file.seek(SeekFrom::Start(offset))?;
        Ok(Self {
            len,
            source: Source::File(BufReader::with_capacity(STREAM_BUFFER, file).take(len)),
        })
    }

    /// The number of bytes this yields in total.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads everything into a vector.
    ///
    /// # Errors
    /// The I/O error of reading the file; also `UnexpectedEof` when the file shrank
    /// under the reader (another tool changed it).
    pub fn into_vec(mut self) -> io::Result<Vec<u8>> {
        if let Source::Memory(cursor) = self.source {
            return Ok(cursor.into_inner());
        }
        let mut out = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0).min(64 << 20));
        self.read_to_end(&mut out)?;
        if out.len() as u64 != self.len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(out)
    }

    /// Keeps only `len` bytes from `offset` (an IMAP partial `<offset.len>`).
    pub(crate) fn slice(data: Vec<u8>, partial: Option<(u64, u64)>) -> Self {
        match partial {
            None => Self::from_vec(data),
            Some((offset, len)) => {
                let start = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                let end = start
                    .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
                    .min(data.len());
                Self::from_vec(data[start..end].to_vec())
            }
        }
    }
}

impl Read for MessageData {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.source {
            Source::Memory(cursor) => cursor.read(buf),
            Source::File(file) => file.read(buf),
        }
    }

    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        match &mut self.source {
            // One copy of what is left, not a loop of probing reads.
            Source::Memory(cursor) => cursor.read_to_end(buf),
            Source::File(file) => {
                buf.reserve(usize::try_from(self.len).unwrap_or(0).min(64 << 20));
                file.read_to_end(buf)
            }
        }
    }
}
