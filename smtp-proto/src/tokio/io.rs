//! One step of a driver: write, read and wait on the timers at the same time.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use crate::tokio::Error;

/// What happened in one step.
#[derive(Debug)]
pub(crate) enum Io {
    /// Output was written (the buffer was advanced) or flushed.
    Wrote,
    /// `n` octets were read into the scratch buffer; 0 is the end of stream.
    Read(usize),
    /// The timer fired.
    Timer,
    /// The stop signal fired.
    Stop,
}

/// The reading, writing and timing state one connection needs.
#[derive(Debug)]
pub(crate) struct Pump {
    /// Bytes to write.
    pub(crate) out: BytesMut,
    /// Written but not yet flushed (TLS buffers records until a flush).
    pub(crate) unflushed: bool,
    /// Read buffer.
    pub(crate) scratch: Vec<u8>,
    /// Bytes read that the session has not taken yet.
    pub(crate) leftover: BytesMut,
}

impl Pump {
    pub(crate) fn new(read_size: usize) -> Self {
        Self {
            out: BytesMut::new(),
            unflushed: false,
            scratch: vec![0; read_size.max(512)],
            leftover: BytesMut::new(),
        }
    }

    /// Waits until output was written, input read (when `read` says so), `sleep` fired
    /// or `stop` fired, whichever comes first; both directions progress together, so
    /// neither peer can block the other.
    pub(crate) async fn step<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        read: bool,
        mut sleep: Pin<&mut Sleep>,
        mut stop: Option<Pin<&mut (dyn Future<Output = ()> + Send)>>,
    ) -> io::Result<Io> {
        let Self {
            out,
            unflushed,
            scratch,
            ..
        } = self;
        poll_fn(|cx| {
            if !out.is_empty() {
                if let Poll::Ready(written) = Pin::new(&mut *stream).poll_write(cx, out) {
                    let n = written?;
                    if n == 0 {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    out.advance(n);
                    *unflushed = true;
                    return Poll::Ready(Ok(Io::Wrote));
                }
            } else if *unflushed && let Poll::Ready(flushed) = Pin::new(&mut *stream).poll_flush(cx)
            {
                flushed?;
                *unflushed = false;
                return Poll::Ready(Ok(Io::Wrote));
            }
            if read {
                let mut buf = ReadBuf::new(scratch);
                if let Poll::Ready(result) = Pin::new(&mut *stream).poll_read(cx, &mut buf) {
                    result?;
                    return Poll::Ready(Ok(Io::Read(buf.filled().len())));
                }
            }
            if sleep.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(Io::Timer));
            }
            if let Some(stop) = stop.as_mut()
                && stop.as_mut().poll(cx).is_ready()
            {
                return Poll::Ready(Ok(Io::Stop));
            }
            Poll::Pending
        })
        .await
    }

    /// Writes and flushes everything in `out` within `timeout`.
    pub(crate) async fn flush<S: AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        timeout: Duration,
    ) -> Result<(), Error> {
        mailwright_base::listener::write_all_within(stream, &self.out, timeout).await?;
        self.out.clear();
        self.unflushed = false;
        Ok(())
    }
}

/// Sets `sleep` to the earliest of the deadlines, or far away when there is none.
pub(crate) fn arm(sleep: Pin<&mut Sleep>, deadlines: &[Option<Instant>]) {
    let far = crate::tokio::now() + Duration::from_secs(86_400 * 365);
    let at = deadlines.iter().flatten().min().copied().unwrap_or(far);
    let at = tokio::time::Instant::from_std(at);
    if sleep.deadline() != at {
        sleep.reset(at);
    }
}
