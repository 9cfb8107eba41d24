//! `arbitrary::Arbitrary` for the types whose invariants a derive cannot keep
//! (feature `arbitrary`, for the fuzzers). The string newtypes get theirs from
//! their defining macros; the data types derive it.

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::types::{Date, DateTime, Literal, Literal8, LiteralMode, Sequence, SequenceSet, Vec1};

impl<'a> Arbitrary<'a> for Literal<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let data: &'a [u8] = u.arbitrary()?;
        let mode: LiteralMode = u.arbitrary()?;
        Literal::try_from(data)
            .map(|l| l.with_mode(mode))
            .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Literal8<'a> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let data: &'a [u8] = u.arbitrary()?;
        Ok(Literal8::new(data, u.arbitrary()?))
    }
}

impl<'a, T: Arbitrary<'a>> Arbitrary<'a> for Vec1<T> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut items = vec![T::arbitrary(u)?];
        let rest: Vec<T> = u.arbitrary()?;
        items.extend(rest);
        Ok(Self::unvalidated(items))
    }
}

impl<'a> Arbitrary<'a> for SequenceSet {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Vec1::<Sequence>::arbitrary(u).map(Self::new)
    }
}

impl<'a> Arbitrary<'a> for Date {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let (y, m, d): (u16, u8, u8) = u.arbitrary()?;
        Self::new(y % 10_000, m % 12 + 1, d % 28 + 1).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for DateTime {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let date = Date::arbitrary(u)?;
        let (h, m, s, z): (u8, u8, u8, i16) = u.arbitrary()?;
        Self::new(date, h % 24, m % 60, s % 61, z % (99 * 60 + 60))
            .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}
