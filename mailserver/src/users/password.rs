//! Password hashes (argon2id, PHC strings) and generated passwords.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngExt;

/// Hashes a password with argon2id and a random salt, as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$...`).
///
/// # Errors
/// Only if argon2 refuses its own parameters (never with the defaults).
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let _slot = HashSlot::take();
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches the PHC string `hash`. A malformed hash matches nothing.
///
/// At most one computation per CPU runs at a time, and each reuses a memory block kept
/// for its slot: argon2 takes about 19 MiB per hash on purpose, and a burst of logins
/// would otherwise pile up threads, and freed-but-kept allocator memory, by the
/// hundreds of megabytes.
pub fn verify(hash: &str, password: &[u8]) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    let mut slot = HashSlot::take();
    slot.blocks.resize(params.block_count(), Block::new());
    let computed = Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut slot.blocks[..])
        .is_ok();
    computed
        && out.len() == expected.len()
        && out
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A place in the bounded set of running hash computations, with its reusable memory.
struct HashSlot {
    blocks: Vec<Block>,
}

/// How many computations run and the memory of the idle slots.
static POOL: std::sync::Mutex<(usize, Vec<Vec<Block>>)> = std::sync::Mutex::new((0, Vec::new()));
static FREED: std::sync::Condvar = std::sync::Condvar::new();

impl HashSlot {
    fn take() -> Self {
        let max = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let mut pool = POOL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while pool.0 >= max {
            pool = FREED
                .wait(pool)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        pool.0 += 1;
        Self {
            blocks: pool.1.pop().unwrap_or_default(),
        }
    }
}

impl Drop for HashSlot {
    fn drop(&mut self) {
        let mut pool = POOL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pool.0 -= 1;
        pool.1.push(std::mem::take(&mut self.blocks));
        FREED.notify_one();
    }
}

/// A random password of 20 letters and digits (about 119 bits).
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let phc = hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify(&phc, b"correct horse"));
        assert!(!verify(&phc, b"correct horsE"));
        assert!(!verify("not a hash", b"correct horse"));
        assert_ne!(hash("correct horse").unwrap(), phc, "salted");
    }

    #[test]
    fn generated_passwords_differ() {
        let a = generate();
        assert_eq!(a.len(), 20);
        assert_ne!(a, generate());
    }
}
