//! The decisions behind the revision heard on PostgreSQL, with the time as an
//! argument: the messages on the channel, when what was heard may be trusted (the
//! lease), and when a write is settled. No I/O here; [`super::notify`] runs the
//! listener and the sender around them.
//!
//! The beat is sent every 200 ms and a lease lasts 1 s from the sending. A new listener
//! trusts nothing until its first beat is back.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The channel every instance on a database listens to.
pub const CHANNEL: &str = "nhiemvu_revision";
/// How long a beat that came back lets an instance trust what it heard.
pub const LEASE: Duration = Duration::from_millis(1000);
/// How often an instance sends a beat.
pub const BEAT: Duration = Duration::from_millis(200);
/// Added to a lease by those who wait for it to run out (clocks drift a little).
const MARGIN: Duration = Duration::from_millis(100);

/// The SQL an audit append runs to announce the new head `seq` (at commit).
pub fn announce_sql(seq: i64) -> String {
    format!("SELECT pg_notify('{CHANNEL}', 'r:{seq}')")
}

/// What one instance knows, and what a write still waits for.
#[derive(Debug)]
pub struct State {
    pub(super) me: String,
    /// Counts the heads heard (and reconnections): a revision read from the
    /// database is kept only if nothing was heard while it was read.
    epoch: u64,
    /// The revision as last heard or read, at the current epoch.
    known: Option<i64>,
    /// When the listener last (re)connected; `None` while it is down.
    listening_since: Option<Instant>,
    /// Until when what was heard may be trusted.
    lease_until: Option<Instant>,
    /// Markers (beats and syncs) sent and not yet back, with when they were sent.
    sent: VecDeque<(u64, Instant)>,
    /// The last marker sent, and the last that came back.
    last_sent: u64,
    last_back: u64,
    /// Other instances: when last heard from, and the last of our markers they
    /// acknowledged.
    peers: HashMap<String, Peer>,
}

#[derive(Debug, Clone, Copy)]
struct Peer {
    heard: Instant,
    acked: u64,
}

/// A message on the channel.
#[derive(Debug, PartialEq, Eq)]
enum Message<'a> {
    /// The audit chain's head after a commit.
    Head(i64),
    /// An instance's beat, which it uses to renew its lease.
    Beat(&'a str, u64),
    /// An instance's marker after a write, to be acknowledged by the others.
    Sync(&'a str, u64),
    /// `by` has heard everything up to `of`'s marker `k`.
    Ack { by: &'a str, of: &'a str, k: u64 },
}

fn parse(payload: &str) -> Option<Message<'_>> {
    let mut parts = payload.split(':');
    let kind = parts.next()?;
    let message = match kind {
        "r" => Message::Head(parts.next()?.parse().ok()?),
        "b" | "s" => {
            let who = parts.next()?;
            let k = parts.next()?.parse().ok()?;
            if kind == "b" { Message::Beat(who, k) } else { Message::Sync(who, k) }
        }
        "a" => {
            let by = parts.next()?;
            let of = parts.next()?;
            Message::Ack { by, of, k: parts.next()?.parse().ok()? }
        }
        _ => return None,
    };
    parts.next().is_none().then_some(message)
}

/// What a settling write does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Settle {
    /// Every instance has heard the write (or can no longer trust what it heard).
    Done,
    /// Wait for a message, or until this moment at the latest.
    WaitUntil(Instant),
}

impl State {
    /// An instance called `me`, not yet listening.
    pub fn new(me: String) -> State {
        State {
            me,
            epoch: 0,
            known: None,
            listening_since: None,
            lease_until: None,
            sent: VecDeque::new(),
            last_sent: 0,
            last_back: 0,
            peers: HashMap::new(),
        }
    }

    /// The revision, if it can be trusted at `now` without asking.
    pub fn revision(&self, now: Instant) -> Option<i64> {
        if self.lease_until.is_some_and(|until| now < until) { self.known } else { None }
    }

    /// The epoch to take before reading the revision from the database.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Keeps `rev`, read from the database after `epoch` was taken, unless a head
    /// was heard meanwhile.
    pub fn note(&mut self, epoch: u64, rev: i64) {
        if epoch == self.epoch {
            self.known = Some(self.known.map_or(rev, |k| k.max(rev)));
        }
    }

    /// The listener (re)connected at `now`: what was missed while it was down is
    /// unknown, so the revision is read again.
    pub fn connected(&mut self, now: Instant) {
        self.epoch += 1;
        self.known = None;
        self.listening_since = Some(now);
    }

    /// The listener dropped.
    pub fn disconnected(&mut self) {
        self.epoch += 1;
        self.known = None;
        self.listening_since = None;
        self.lease_until = None;
    }

    /// A marker of ours is being sent at `now`; its number.
    pub fn send_marker(&mut self, now: Instant) -> u64 {
        self.last_sent += 1;
        self.sent.push_back((self.last_sent, now));
        // Markers that never came back (lost while the listener was down) are
        // forgotten after a while.
        while self.sent.front().is_some_and(|(_, at)| now.duration_since(*at) > LEASE * 10) {
            self.sent.pop_front();
        }
        self.last_sent
    }

    /// A message heard at `now`; returns the acknowledgement to send, if any.
    pub fn heard(&mut self, payload: &str, now: Instant) -> Option<String> {
        match parse(payload)? {
            Message::Head(seq) => {
                self.epoch += 1;
                self.known = Some(self.known.map_or(seq, |k| k.max(seq)));
                None
            }
            Message::Beat(who, k) | Message::Sync(who, k) if who == self.me => {
                self.last_back = self.last_back.max(k);
                while let Some(&(m, at)) = self.sent.front()
                    && m <= k
                {
                    self.sent.pop_front();
                    if m == k {
                        let until = at + LEASE;
                        self.lease_until = Some(self.lease_until.map_or(until, |u| u.max(until)));
                    }
                }
                None
            }
            Message::Beat(who, _) => {
                self.hear_from(who, now);
                None
            }
            Message::Sync(who, k) => {
                self.hear_from(who, now);
                Some(format!("a:{}:{who}:{k}", self.me))
            }
            Message::Ack { by, of, k } => {
                if by != self.me {
                    let mine = of == self.me;
                    let peer = self.hear_from(by, now);
                    if mine {
                        peer.acked = peer.acked.max(k);
                    }
                }
                None
            }
        }
    }

    fn hear_from(&mut self, who: &str, now: Instant) -> &mut Peer {
        let peer = self.peers.entry(who.to_owned()).or_insert(Peer { heard: now, acked: 0 });
        peer.heard = peer.heard.max(now);
        peer
    }

    /// Whether a write that committed before `started` and then sent marker `k`
    /// is settled at `now`.
    pub fn settle(&mut self, k: u64, started: Instant, now: Instant) -> Settle {
        // Every lease taken before the commit has run out by then.
        let hard = started + LEASE + MARGIN;
        if now >= hard {
            return Settle::Done;
        }
        // The instances that may trust an old head are those heard from within a
        // lease; those whose beats this listener could have missed (before it
        // last connected) have run out a lease after it connected.
        let Some(since) = self.listening_since else { return Settle::WaitUntil(hard) };
        let complete = since + LEASE + MARGIN;
        if now < complete {
            return Settle::WaitUntil(complete.min(hard));
        }
        // Our own marker back: we heard the head, and every beat sent before it.
        if self.last_back < k {
            return Settle::WaitUntil(hard);
        }
        self.peers.retain(|_, p| now < p.heard + LEASE * 10);
        let mut next = None::<Instant>;
        for peer in self.peers.values() {
            let runs_out = peer.heard + LEASE + MARGIN;
            if peer.acked < k && now < runs_out {
                next = Some(next.map_or(runs_out, |n| n.min(runs_out)));
            }
        }
        match next {
            None => Settle::Done,
            Some(at) => Settle::WaitUntil(at.min(hard)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn messages_are_read_and_anything_else_is_ignored() {
        assert_eq!(parse("r:42"), Some(Message::Head(42)));
        assert_eq!(parse("b:x:3"), Some(Message::Beat("x", 3)));
        assert_eq!(parse("s:x:4"), Some(Message::Sync("x", 4)));
        assert_eq!(parse("a:y:x:4"), Some(Message::Ack { by: "y", of: "x", k: 4 }));
        for bad in ["", "r", "r:x", "b:x", "a:y:x", "r:1:2", "q:1"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_head_heard_is_trusted_only_while_a_beat_came_back_within_a_lease() {
        let t = Instant::now();
        let mut s = State::new("me".into());
        s.connected(t);
        s.heard("r:7", t);
        assert_eq!(s.revision(t), None, "no beat back yet");
        let k = s.send_marker(t);
        s.heard(&format!("b:me:{k}"), t + ms(5));
        assert_eq!(s.revision(t + ms(5)), Some(7));
        s.heard("r:9", t + ms(6));
        assert_eq!(s.revision(t + ms(6)), Some(9), "a new head replaces the old");
        s.heard("r:8", t + ms(7));
        assert_eq!(s.revision(t + ms(7)), Some(9), "never goes back");
        assert_eq!(s.revision(t + LEASE), None, "the lease counts from the sending, and runs out");
        s.disconnected();
        assert_eq!(s.revision(t + ms(8)), None, "a dropped listener trusts nothing");
    }

    #[test]
    fn a_revision_read_while_a_head_was_heard_is_not_kept() {
        let t = Instant::now();
        let mut s = State::new("me".into());
        s.connected(t);
        let k = s.send_marker(t);
        s.heard(&format!("b:me:{k}"), t);
        let e = s.epoch();
        s.note(e, 5);
        assert_eq!(s.revision(t), Some(5));
        let e = s.epoch();
        s.heard("r:6", t);
        s.note(e, 5);
        assert_eq!(s.revision(t), Some(6), "the read began before the head was heard");
        s.connected(t);
        assert_eq!(s.revision(t), None, "after a reconnection the revision is read again");
    }

    #[test]
    fn a_write_waits_for_every_instance_heard_within_a_lease_and_no_longer_than_a_lease() {
        let t0 = Instant::now();
        let mut a = State::new("a".into());
        a.connected(t0);
        // B beat 100 ms ago; C was last heard two leases ago (gone).
        let t = t0 + LEASE * 3;
        a.heard("b:b:1", t - ms(100));
        a.heard("b:c:1", t - LEASE * 2);
        let k = a.send_marker(t);
        assert_eq!(a.settle(k, t, t), Settle::WaitUntil(t + LEASE + MARGIN), "our marker is not back yet");
        assert_eq!(a.heard(&format!("s:a:{k}"), t + ms(1)), None, "our own marker is not acknowledged");
        assert_eq!(
            a.settle(k, t, t + ms(1)),
            Settle::WaitUntil(t - ms(100) + LEASE + MARGIN),
            "B may trust an old head"
        );
        // B acknowledges: done, without waiting for C.
        a.heard(&format!("a:b:a:{k}"), t + ms(2));
        assert_eq!(a.settle(k, t, t + ms(2)), Settle::Done);
        // A silent B is waited for until its lease must have run out.
        let k = a.send_marker(t + ms(3));
        a.heard(&format!("s:a:{k}"), t + ms(4));
        let out = t + ms(2) + LEASE + MARGIN;
        assert_eq!(a.settle(k, t + ms(3), t + ms(4)), Settle::WaitUntil(out));
        assert_eq!(a.settle(k, t + ms(3), out), Settle::Done);
        // Another instance's marker is acknowledged.
        assert_eq!(a.heard("s:b:9", t), Some("a:a:b:9".into()));
    }

    #[test]
    fn a_new_listener_waits_a_lease_for_the_instances_it_could_not_hear() {
        let t = Instant::now();
        let mut a = State::new("a".into());
        let k = a.send_marker(t);
        assert_eq!(a.settle(k, t, t), Settle::WaitUntil(t + LEASE + MARGIN), "not listening: the full lease");
        a.connected(t);
        a.heard(&format!("s:a:{k}"), t + ms(1));
        assert_eq!(a.settle(k, t, t + ms(1)), Settle::WaitUntil(t + LEASE + MARGIN));
        let later = t + LEASE * 2;
        let k = a.send_marker(later);
        a.heard(&format!("s:a:{k}"), later + ms(1));
        assert_eq!(a.settle(k, later, later + ms(1)), Settle::Done, "alone, once listening for a lease");
    }
}
