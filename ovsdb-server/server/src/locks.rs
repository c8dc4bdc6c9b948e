//! OVSDB locks (RFC 7047 section 4.1.8-4.1.10) with OVS's steal semantics.
//!
//! Each lock is a queue of waiters; the front one owns it. "lock" joins at
//! the back, "steal" at the front. A stolen-from waiter that itself got the
//! lock by stealing leaves the queue but stays known to its session until the
//! session says "unlock", exactly as OVS's ovsdb/server.c keeps it.

use std::collections::{HashMap, VecDeque};

pub type SessionId = u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Wait,
    Steal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Waiter {
    session: SessionId,
    mode: Mode,
}

/// What a lock request did beyond its reply.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LockEffects {
    /// Sessions to notify with `["locked", [name]]`.
    pub locked: Vec<SessionId>,
    /// Sessions to notify with `["stolen", [name]]`.
    pub stolen: Vec<SessionId>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum LockError {
    /// The session already has a lock/steal outstanding for this name.
    AlreadyWaiting,
    /// "unlock" for a name the session never asked for.
    NotWaiting,
}

#[derive(Default)]
pub struct Locks {
    queues: HashMap<String, VecDeque<Waiter>>,
    /// Per session, the lock names it asked for and whether it is still queued.
    sessions: HashMap<SessionId, HashMap<String, Mode>>,
}

impl Locks {
    /// "lock" or "steal". Returns whether the session now owns the lock.
    pub fn lock(
        &mut self,
        session: SessionId,
        name: &str,
        mode: Mode,
    ) -> Result<(bool, LockEffects), LockError> {
        let names = self.sessions.entry(session).or_default();
        if names.contains_key(name) {
            return Err(LockError::AlreadyWaiting);
        }
        names.insert(name.to_string(), mode);
        let queue = self.queues.entry(name.to_string()).or_default();
        let mut effects = LockEffects::default();
        let waiter = Waiter { session, mode };
        match mode {
            Mode::Wait => queue.push_back(waiter),
            Mode::Steal => {
                if let Some(victim) = queue.front().copied() {
                    effects.stolen.push(victim.session);
                    if victim.mode == Mode::Steal {
                        queue.pop_front();
                    }
                }
                queue.push_front(waiter);
            }
        }
        let owner = queue.front().is_some_and(|w| w.session == session);
        Ok((owner, effects))
    }

    /// "unlock": forgets the session's interest in `name`.
    pub fn unlock(&mut self, session: SessionId, name: &str) -> Result<LockEffects, LockError> {
        let known = self
            .sessions
            .get_mut(&session)
            .and_then(|names| names.remove(name));
        if known.is_none() {
            return Err(LockError::NotWaiting);
        }
        Ok(self.leave_queue(session, name))
    }

    /// The session went away: drop all its locks.
    pub fn remove_session(&mut self, session: SessionId) -> Vec<(String, LockEffects)> {
        let names = self.sessions.remove(&session).unwrap_or_default();
        let mut names: Vec<String> = names.into_keys().collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let effects = self.leave_queue(session, &name);
                (name, effects)
            })
            .collect()
    }

    fn leave_queue(&mut self, session: SessionId, name: &str) -> LockEffects {
        let mut effects = LockEffects::default();
        let Some(queue) = self.queues.get_mut(name) else {
            return effects;
        };
        let Some(pos) = queue.iter().position(|w| w.session == session) else {
            return effects;
        };
        queue.remove(pos);
        if queue.is_empty() {
            self.queues.remove(name);
        } else if pos == 0
            && let Some(owner) = queue.front()
        {
            effects.locked.push(owner.session);
        }
        effects
    }

    pub fn owns(&self, session: SessionId, name: &str) -> bool {
        self.queues
            .get(name)
            .and_then(|q| q.front())
            .is_some_and(|w| w.session == session)
    }

    pub fn n_locks(&self) -> usize {
        self.queues.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_then_release_passes_ownership() {
        let mut l = Locks::default();
        assert!(l.lock(1, "a", Mode::Wait).unwrap().0);
        assert!(!l.lock(2, "a", Mode::Wait).unwrap().0);
        assert_eq!(l.lock(1, "a", Mode::Wait), Err(LockError::AlreadyWaiting));
        let e = l.unlock(1, "a").unwrap();
        assert_eq!(e.locked, vec![2]);
        assert!(l.owns(2, "a"));
        assert_eq!(l.unlock(1, "a"), Err(LockError::NotWaiting));
    }

    #[test]
    fn steal_notifies_victim_and_victim_regains_after() {
        let mut l = Locks::default();
        l.lock(1, "a", Mode::Wait).unwrap();
        let (owner, e) = l.lock(2, "a", Mode::Steal).unwrap();
        assert!(owner);
        assert_eq!(e.stolen, vec![1]);
        // The waiting victim stays queued and gets the lock back.
        let e = l.unlock(2, "a").unwrap();
        assert_eq!(e.locked, vec![1]);
    }

    #[test]
    fn stealer_stolen_from_leaves_queue() {
        let mut l = Locks::default();
        l.lock(1, "a", Mode::Steal).unwrap();
        let (_, e) = l.lock(2, "a", Mode::Steal).unwrap();
        assert_eq!(e.stolen, vec![1]);
        let e = l.unlock(2, "a").unwrap();
        assert!(e.locked.is_empty());
        assert_eq!(l.n_locks(), 0);
        // Session 1 still must unlock before locking again.
        assert_eq!(l.lock(1, "a", Mode::Wait), Err(LockError::AlreadyWaiting));
        assert!(l.unlock(1, "a").is_ok());
    }

    #[test]
    fn disconnect_hands_over() {
        let mut l = Locks::default();
        l.lock(1, "a", Mode::Wait).unwrap();
        l.lock(1, "b", Mode::Wait).unwrap();
        l.lock(2, "b", Mode::Wait).unwrap();
        let fx = l.remove_session(1);
        assert_eq!(fx.len(), 2);
        assert_eq!(fx[1].1.locked, vec![2]);
        assert!(l.owns(2, "b"));
    }
}
