use super::*;

fn frames(framer: &mut Framer) -> Vec<FrameEvent> {
    let mut out = Vec::new();
    while let Some(event) = framer.poll() {
        let announced = matches!(event, FrameEvent::LiteralAnnounced(_));
        out.push(event);
        if announced {
            framer.accept_literal();
        }
    }
    out
}

fn frame(bytes: &[u8]) -> FrameEvent {
    FrameEvent::Frame(Bytes::copy_from_slice(bytes))
}

#[test]
fn lines_become_frames() {
    let mut f = Framer::for_commands(100, 1000);
    f.enqueue(b"a NOOP\r\nb CAPA");
    assert_eq!(frames(&mut f), vec![frame(b"a NOOP\r\n")]);
    f.enqueue(b"BILITY\r\n");
    assert_eq!(frames(&mut f), vec![frame(b"b CAPABILITY\r\n")]);
    assert_eq!(f.buffered(), 0);
}

#[test]
fn literal_waits_for_a_decision() {
    let mut f = Framer::for_commands(100, 1000);
    f.enqueue(b"a LOGIN {3}\r\nbob {4+}\r\npass\r\n");
    let announced = f.poll();
    assert_eq!(
        announced,
        Some(FrameEvent::LiteralAnnounced(LiteralAnnouncement {
            length: 3,
            mode: LiteralMode::Sync,
            binary: false
        }))
    );
    assert_eq!(f.pending(), b"a LOGIN {3}\r\n");
    assert_eq!(f.poll(), None, "no progress before the decision");
    f.accept_literal();
    let Some(FrameEvent::LiteralAnnounced(a)) = f.poll() else {
        panic!("second announcement expected")
    };
    assert_eq!(a.mode, LiteralMode::NonSync);
    f.accept_literal();
    assert_eq!(
        f.poll(),
        Some(frame(b"a LOGIN {3}\r\nbob {4+}\r\npass\r\n"))
    );
}

#[test]
fn binary_literal_is_recognised() {
    let mut f = Framer::for_commands(100, 1000);
    f.enqueue(b"a APPEND x ~{2}\r\n");
    let Some(FrameEvent::LiteralAnnounced(a)) = f.poll() else {
        panic!("announcement expected")
    };
    assert!(a.binary);
}

#[test]
fn splitting_input_anywhere_gives_the_same_frames() {
    let input: &[u8] =
        b"a1 NOOP\r\na2 LOGIN {5}\r\nalice {3+}\r\nabc\r\na3 APPEND x ~{4}\r\n\0\r\n\0\r\n";
    let mut whole = Framer::for_commands(100, 1000);
    whole.enqueue(input);
    let expected = frames(&mut whole);
    assert_eq!(expected.len(), 6, "{expected:?}");
    for split in 0..input.len() {
        let mut f = Framer::for_commands(100, 1000);
        f.enqueue(&input[..split]);
        let mut got = frames(&mut f);
        f.enqueue(&input[split..]);
        got.extend(frames(&mut f));
        assert_eq!(got, expected, "split at {split}");
    }
    let mut f = Framer::for_commands(100, 1000);
    let mut got = Vec::new();
    for b in input {
        f.enqueue(&[*b]);
        got.extend(frames(&mut f));
    }
    assert_eq!(got, expected, "one byte at a time");
}

#[test]
fn long_line_is_refused_and_skipped() {
    let mut f = Framer::for_commands(16, 1000);
    f.enqueue(b"t1 SEARCH TEXT aaaaaaaaaaaaaaaa");
    let Some(FrameEvent::Error(err)) = f.poll() else {
        panic!("error expected")
    };
    assert_eq!(err.kind, FrameErrorKind::LineTooLong);
    assert_eq!(err.tag.unwrap().as_str(), "t1");
    f.enqueue(b"aaaaaaaaaaaa\r\nt2 NOOP\r\n");
    assert_eq!(frames(&mut f), vec![frame(b"t2 NOOP\r\n")]);
}

#[test]
fn long_complete_line_is_refused() {
    let mut f = Framer::for_commands(16, 1000);
    f.enqueue(b"t1 SEARCH TEXT aaaaaaaaaaaaa\r\nt2 NOOP\r\n");
    let Some(FrameEvent::Error(err)) = f.poll() else {
        panic!("error expected")
    };
    assert_eq!(err.kind, FrameErrorKind::LineTooLong);
    assert_eq!(frames(&mut f), vec![frame(b"t2 NOOP\r\n")]);
}

#[test]
fn rejected_sync_literal_drops_the_command() {
    let mut f = Framer::for_commands(100, 1000);
    f.enqueue(b"a APPEND x {99999}\r\n");
    assert!(matches!(f.poll(), Some(FrameEvent::LiteralAnnounced(_))));
    f.reject_literal();
    f.enqueue(b"b NOOP\r\n");
    assert_eq!(frames(&mut f), vec![frame(b"b NOOP\r\n")]);
}

#[test]
fn rejected_nonsync_literal_is_read_and_discarded() {
    let mut f = Framer::for_commands(100, 1000);
    f.enqueue(b"a APPEND x {10+}\r\n0123");
    assert!(matches!(f.poll(), Some(FrameEvent::LiteralAnnounced(_))));
    f.reject_literal();
    assert_eq!(f.poll(), None);
    f.enqueue(b"456789 {2+}\r\nzz\r\nb NOOP\r\n");
    assert_eq!(
        frames(&mut f),
        vec![frame(b"b NOOP\r\n")],
        "the literal, the rest of its command and a second literal are skipped"
    );
}

#[test]
fn streamed_literal_comes_in_pieces() {
    let mut f = Framer::for_commands(100, 10);
    f.enqueue(b"a APPEND x {12}\r\n");
    assert!(matches!(f.poll(), Some(FrameEvent::LiteralAnnounced(_))));
    assert!(f.literal_exceeds_frame_limit(), "too large to buffer");
    f.accept_literal_streaming();
    f.enqueue(b"hello ");
    assert_eq!(
        f.poll(),
        Some(FrameEvent::LiteralData(Bytes::from_static(b"hello ")))
    );
    f.enqueue(b"world!\r\nb NOOP\r\n");
    assert_eq!(
        f.poll(),
        Some(FrameEvent::LiteralData(Bytes::from_static(b"world!")))
    );
    assert_eq!(frames(&mut f), vec![frame(b"\r\n"), frame(b"b NOOP\r\n")]);
}

#[test]
fn responses_take_literals_without_asking() {
    let mut f = Framer::for_responses(100, 1000);
    f.enqueue(b"* 1 FETCH (BODY[] {3}\r\nabc)\r\n");
    assert_eq!(
        frames(&mut f),
        vec![frame(b"* 1 FETCH (BODY[] {3}\r\nabc)\r\n")]
    );
    let mut f = Framer::for_responses(100, 20);
    f.enqueue(b"* 1 FETCH (BODY[] {30}\r\n012345678901234567890123456789)\r\n* OK\r\n");
    let events = frames(&mut f);
    assert!(matches!(&events[0], FrameEvent::Error(e) if e.kind == FrameErrorKind::FrameTooLarge));
    assert_eq!(events[1..], [frame(b"* OK\r\n")]);
}

#[test]
fn announcements() {
    assert_eq!(announcement(b"x {5}\r\n").map(|a| a.length), Some(5));
    assert_eq!(
        announcement(b"x {5+}\n").map(|a| a.mode),
        Some(LiteralMode::NonSync)
    );
    assert_eq!(announcement(b"x ~{0}\r\n").map(|a| a.binary), Some(true));
    for none in [
        &b"x {}\r\n"[..],
        b"x 5}\r\n",
        b"x {a}\r\n",
        b"x {99999999999999999999}\r\n",
        b"}\r\n",
    ] {
        assert_eq!(announcement(none), None, "{none:?}");
    }
}

#[test]
fn skipped_line_announcement_split_anywhere() {
    // A rejected non-synchronizing literal: the rest of its line is skipped, and a
    // second non-synchronizing literal announced at the end of that line too, even
    // when the announcement arrives in pieces.
    let input: &[u8] = b"a LOGIN {3+}\r\nbob {7+}\r\nfat man\r\nb NOOP\r\n";
    for split in 15..input.len() {
        let mut f = Framer::for_commands(100, 1000);
        f.enqueue(&input[..15]);
        assert!(matches!(f.poll(), Some(FrameEvent::LiteralAnnounced(_))));
        f.reject_literal();
        let mut got = Vec::new();
        while let Some(e) = f.poll() {
            got.push(e);
        }
        f.enqueue(&input[15..split]);
        while let Some(e) = f.poll() {
            got.push(e);
        }
        f.enqueue(&input[split..]);
        while let Some(e) = f.poll() {
            got.push(e);
        }
        assert_eq!(got, vec![frame(b"b NOOP\r\n")], "split at {split}");
    }
}
