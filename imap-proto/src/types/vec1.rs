//! Non-empty lists.

use std::fmt;

use crate::error::ValidationError;

/// A list with at least one element (the grammar's `1*x` / `x *(SP x)` forms).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Vec1<T>(Vec<T>);

impl<T> Vec1<T> {
    /// A list of one element.
    pub fn one(item: T) -> Self {
        Self(vec![item])
    }

    /// Builds the list without checking; checked under `debug_assertions`.
    pub(crate) fn unvalidated(items: Vec<T>) -> Self {
        debug_assert!(!items.is_empty());
        Self(items)
    }

    /// Adds an element at the end.
    pub fn push(&mut self, item: T) {
        self.0.push(item);
    }

    /// The elements.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The elements, taken out.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }

    /// The first element (there always is one).
    pub fn first(&self) -> &T {
        // A Vec1 is never empty: every constructor checks it.
        &self.0[0]
    }

    /// Iterates over the elements.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// Number of elements (at least one).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`; present for the `len_without_is_empty` convention.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Maps every element.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Vec1<U> {
        Vec1(self.0.into_iter().map(f).collect())
    }
}

impl<T> TryFrom<Vec<T>> for Vec1<T> {
    type Error = ValidationError;

    fn try_from(items: Vec<T>) -> Result<Self, Self::Error> {
        if items.is_empty() {
            Err(ValidationError::empty())
        } else {
            Ok(Self(items))
        }
    }
}

impl<T> From<T> for Vec1<T> {
    fn from(item: T) -> Self {
        Self::one(item)
    }
}

impl<T> AsRef<[T]> for Vec1<T> {
    fn as_ref(&self) -> &[T] {
        &self.0
    }
}

impl<T> std::ops::Deref for Vec1<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> IntoIterator for Vec1<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Vec1<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for Vec1<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_empty() {
        assert!(Vec1::<u8>::try_from(vec![]).is_err());
        let mut v = Vec1::one(1);
        v.push(2);
        assert_eq!(v.as_slice(), &[1, 2]);
        assert_eq!(*v.first(), 1);
        assert_eq!(v.map(|x| x * 10).into_inner(), vec![10, 20]);
    }
}
