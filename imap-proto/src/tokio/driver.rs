//! The per-connection driver: moves bytes between the socket and the session and
//! answers the session's events through the [`Backend`] and its [`Account`].
//! It adds no protocol logic.

use std::time::Instant;

use bytes::BytesMut;
use mailwright_base::listener::{Driver, MaybeTls, Outcome, Stop, sleep_until, write_all_within};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::server::{Event, FetchDecision, MailboxOperation, Rejection, ServerSession};
use crate::tokio::{Account, Backend, Error, FetchRequest, Peer, SelectRequest, Server};
use crate::types::Uid;

/// Read buffer per connection: small, so that idle connections stay cheap.
const READ_BUFFER: usize = 4096;

/// Output above this is written before more FETCH data is produced.
const OUTPUT_HIGH_WATER: usize = 64 * 1024;

/// What [`Connection::handle_event`] did.
enum Handled {
    Nothing,
    Answered,
    StartTls,
}

/// The state of one connection across the plaintext and TLS phases.
pub(crate) struct Connection<'s, B: Backend> {
    server: &'s Server<B>,
    session: ServerSession,
    account: Option<B::Account>,
    selected: bool,
    append: Vec<u8>,
    peer: Peer,
    stop: Stop,
}

impl<'s, B: Backend> Connection<'s, B> {
    pub(crate) fn new(
        server: &'s Server<B>,
        session: ServerSession,
        peer: Peer,
        stop: Stop,
    ) -> Self {
        Self {
            server,
            session,
            account: None,
            selected: false,
            append: Vec::new(),
            peer,
            stop,
        }
    }
}

impl<B: Backend> Driver for Connection<'_, B> {
    type Error = Error;

    /// Output, events, input, changes and time, until the session closes or asks
    /// for TLS.
    async fn drive(&mut self, stream: &mut MaybeTls<TcpStream>) -> Result<Outcome, Error> {
        let mut out = BytesMut::new();
        loop {
            self.flush(stream, &mut out).await?;
            if self.session.is_closed() {
                let _ = stream.shutdown().await;
                return Ok(Outcome::Closed);
            }
            match self.handle_event(stream, &mut out).await? {
                Handled::StartTls => {
                    self.flush(stream, &mut out).await?;
                    return Ok(Outcome::StartTls);
                }
                Handled::Answered => continue,
                Handled::Nothing => {}
            }
            self.track_selection();
            // The async edge owns the clock: autologout and failed-login delays are
            // armed from `poll_timeout` and fed back here.
            #[allow(clippy::disallowed_methods, reason = "the async edge owns the clock")]
            self.session.handle_timeout(Instant::now());
            if self.session.is_closed() || self.session.buffered_output() > 0 {
                continue;
            }
            match self.handle_event(stream, &mut out).await? {
                Handled::StartTls => {
                    self.flush(stream, &mut out).await?;
                    return Ok(Outcome::StartTls);
                }
                Handled::Answered => continue,
                Handled::Nothing => {}
            }
            let deadline = self.session.poll_timeout();
            let mut read_buf = [0u8; READ_BUFFER];
            let watching = self.selected;
            let account = &mut self.account;
            tokio::select! {
                read = stream.read(&mut read_buf), if self.session.wants_input() => {
                    let read = read?;
                    if read == 0 {
                        self.session.handle_eof();
                        return Ok(Outcome::Closed);
                    }
                    self.session.handle_input(&read_buf[..read]);
                }
                changes = changes(account), if watching => {
                    self.session.handle_mailbox_changes(changes);
                }
                () = sleep_until(deadline), if deadline.is_some() => {}
                () = self.stop.once() => self.session.close(),
            }
        }
    }

    fn tls_started(&mut self) {
        self.session.tls_started();
        self.peer.tls = true;
    }
}

impl<B: Backend> Connection<'_, B> {
    /// Keeps the account's selection in step with the session's (UNSELECT, CLOSE,
    /// a failed SELECT and LOGOUT leave the selected state without an event).
    fn track_selection(&mut self) {
        if self.selected && self.session.selected().is_none() {
            self.selected = false;
            if let Some(account) = &mut self.account {
                account.deselect();
            }
        }
    }

    /// Answers one event, if there is one.
    async fn handle_event<S>(
        &mut self,
        stream: &mut S,
        out: &mut BytesMut,
    ) -> Result<Handled, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send,
    {
        let server = self.server;
        let peer = self.peer;
        let Some(event) = self.session.poll_event() else {
            return Ok(Handled::Nothing);
        };
        let account = &mut self.account;
        match event {
            Event::StartTls => return Ok(Handled::StartTls),
            Event::Login(d) => {
                let result = server
                    .backend
                    .login(d.username(), d.password(), d.authzid(), peer)
                    .await;
                match result {
                    Ok(opened) => {
                        *account = Some(opened);
                        d.accept();
                    }
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::Select(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                if self.selected {
                    account.deselect();
                    self.selected = false;
                }
                let request = SelectRequest {
                    read_only: d.is_read_only(),
                    condstore: d.wants_modseq(),
                    qresync: d.qresync().cloned(),
                };
                match account.select(d.mailbox(), &request).await {
                    Ok(snapshot) => {
                        self.selected = true;
                        d.accept(snapshot);
                    }
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::Mailbox(d) => {
                let (Some(account), Some(operation)) = (account, d.operation().cloned()) else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                let result = match &operation {
                    MailboxOperation::Create { name } => account.create(name).await,
                    MailboxOperation::Delete { name } => account.delete(name).await,
                    MailboxOperation::Rename { from, to } => account.rename(from, to).await,
                    MailboxOperation::Subscribe { name } => account.subscribe(name, true).await,
                    MailboxOperation::Unsubscribe { name } => account.subscribe(name, false).await,
                };
                match result {
                    Ok(()) => d.accept(),
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::List(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                let status = d.status_items().map(<[_]>::to_vec);
                match account.list(status.as_deref()).await {
                    Ok(mailboxes) => d.respond(mailboxes),
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::Status(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                match account.status(d.mailbox(), d.items()).await {
                    Ok(status) => d.respond(status),
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::Append(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                match account.check_append(d.mailbox(), d.length()).await {
                    Ok(()) => {
                        let expected = usize::try_from(d.length()).unwrap_or(usize::MAX);
                        self.append = Vec::with_capacity(expected.min(1 << 20));
                        d.accept();
                    }
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::AppendData(chunk) => self.append.extend_from_slice(&chunk),
            Event::AppendComplete(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                let message = bytes::Bytes::from(std::mem::take(&mut self.append));
                let flags = d.flags().to_vec();
                match account.append(d.mailbox(), &flags, d.date(), message).await {
                    Ok(uid) => d.accept(Some(uid)),
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::Fetch(d) => {
                let batch = server.fetch_batch;
                let done = fetch_batch(account.as_mut(), d, batch).await;
                if !done && self.session.buffered_output() > OUTPUT_HIGH_WATER {
                    self.flush(stream, out).await?;
                }
            }
            Event::Store(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                let uids = d.uids().to_vec();
                let flags = d.flags().to_vec();
                match account
                    .store(&uids, d.kind(), &flags, d.unchanged_since())
                    .await
                {
                    Ok(result) => d.respond(result),
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::Search(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                let candidates: Vec<Uid> = d.candidates().collect();
                let sort = d.sort().map(<[_]>::to_vec);
                match account
                    .search(d.criteria(), &candidates, sort.as_deref())
                    .await
                {
                    Ok((matches, modseq)) => d.respond(matches, modseq),
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::Copy(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                let uids = d.uids().to_vec();
                match account.copy(&uids, d.destination(), d.is_move()).await {
                    Ok(result) => d.respond(result),
                    Err(rejection) => d.reject(rejection),
                }
            }
            Event::Expunge(d) => {
                let Some(account) = account else {
                    d.reject(Rejection::server_bug());
                    return Ok(Handled::Answered);
                };
                let uids = d.uids().map(<[_]>::to_vec);
                match account.expunge(uids.as_deref()).await {
                    Ok(gone) => d.respond(gone),
                    Err(rejection) => d.reject(rejection),
                }
            }
        }
        Ok(Handled::Answered)
    }

    /// Writes everything the session has to say.
    async fn flush<S>(&mut self, stream: &mut S, out: &mut BytesMut) -> Result<(), Error>
    where
        S: AsyncWrite + Unpin,
    {
        loop {
            if self.session.poll_output(out) == 0 {
                if out.capacity() > 16 * 1024 {
                    *out = BytesMut::new();
                }
                return Ok(());
            }
            write_all_within(stream, out, self.server.edge.write_timeout()).await?;
            out.clear();
        }
    }
}

/// Answers the next batch of a FETCH; `true` when the FETCH is finished.
async fn fetch_batch<A: Account>(
    account: Option<&mut A>,
    mut d: FetchDecision<'_>,
    batch: usize,
) -> bool {
    let Some(account) = account else {
        d.reject(Rejection::server_bug());
        return true;
    };
    if let (Some(range), Some(since)) = (d.vanished_range().cloned(), d.changed_since()) {
        match account.vanished(since, &range).await {
            Ok(uids) => d.report_vanished(&uids),
            Err(rejection) => {
                d.reject(rejection);
                return true;
            }
        }
    }
    let uids: Vec<Uid> = d.messages().take(batch).map(|(_, uid)| uid).collect();
    if uids.is_empty() {
        d.finish();
        return true;
    }
    let request = FetchRequest {
        attributes: d.attributes().to_vec(),
        changed_since: d.changed_since(),
        mark_seen: d.marks_seen(),
    };
    match account.fetch(&uids, &request).await {
        Ok(answers) => {
            let mut answered = std::collections::HashSet::with_capacity(answers.len());
            for (uid, items) in answers {
                answered.insert(uid);
                d.respond(uid, items);
            }
            for uid in uids.into_iter().filter(|u| !answered.contains(u)) {
                d.skip(uid);
            }
            if d.messages().next().is_none() {
                d.finish();
                return true;
            }
            false
        }
        Err(rejection) => {
            d.reject(rejection);
            true
        }
    }
}

async fn changes<A: Account>(account: &mut Option<A>) -> crate::server::MailboxChanges {
    match account {
        Some(account) => account.changes().await,
        None => std::future::pending().await,
    }
}
