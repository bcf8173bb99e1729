//! Which of a packet's text is hidden, and from whom. A packet hides the
//! posts' `[[redact: …]]` text when it says `redact = true` or the build
//! runs with `--redact`; otherwise each recipient with `redact = true`
//! gets its outputs from the packet's *twin*: the same packet, resolved
//! hidden. The twin makes those recipients' numbered copies and messages,
//! and an EPUB and digest of its own (`<name>.redacted.epub`, `.txt`) for
//! their messages to attach; the packet makes everything else. No output
//! a redacting recipient receives is ever made from the shown text.

use super::Packet;
use crate::ir::Post;
use crate::ir::redact::{Mode, apply, apply_str};

/// Resolves the redaction markers of every packet: its own title,
/// subtitle, marking and cover letters, and its briefs. `shown` are the
/// posts as this build shows them (the slice the packets were resolved
/// against); a packet (or twin) that hides in a build that does not (`run`
/// is `Reveal`) is pointed at `hidden`, the same posts, same order,
/// hidden. Returns the names of packets that could not be (a brief not
/// among `shown`, which would be a bug): they are left out, never built
/// shown.
pub fn redact<'p>(
    packets: &mut Vec<Packet<'p>>,
    shown: &'p [Post],
    hidden: &'p [Post],
    run: Mode,
) -> Vec<String> {
    let mut failed = Vec::new();
    for packet in packets.iter_mut() {
        packet.redacted |= run == Mode::Hide;
        // Cloned before anything is resolved: the twin resolves the same
        // markers the other way.
        let twin = (!packet.redacted && packet.recipients.iter().any(|r| r.redact)).then(|| {
            let mut twin = packet.clone();
            twin.redacted = true;
            twin.is_twin = true;
            twin
        });
        let mut ok = resolve(packet, shown, hidden, run);
        if let Some(mut twin) = twin {
            ok &= resolve(&mut twin, shown, hidden, run);
            packet.twin = Some(Box::new(twin));
        }
        if !ok {
            failed.push(packet.name.clone());
        }
    }
    packets.retain(|p| !failed.contains(&p.name));
    failed
}

/// Puts `packet`'s text as its `redacted` flag says; false when a brief
/// has no hidden form to point at.
fn resolve<'p>(packet: &mut Packet<'p>, shown: &'p [Post], hidden: &'p [Post], run: Mode) -> bool {
    let mode = if packet.redacted {
        Mode::Hide
    } else {
        Mode::Reveal
    };
    packet.title = apply_str(&packet.title, mode);
    packet.subtitle = packet.subtitle.as_deref().map(|s| apply_str(s, mode));
    packet.marking = packet.marking.as_deref().map(|s| apply_str(s, mode));
    packet.letter = packet.letter.as_ref().map(|l| apply(l, mode));
    packet.letters = packet.letters.iter().map(|l| apply(l, mode)).collect();
    if mode == Mode::Hide && run == Mode::Reveal {
        for brief in &mut packet.briefs {
            let index = shown.iter().position(|p| std::ptr::eq(p, *brief));
            match index.and_then(|i| hidden.get(i)) {
                Some(h) => *brief = h,
                None => return false,
            }
        }
    }
    true
}
