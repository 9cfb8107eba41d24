//! The dashboard's rate chart, drawn on the server as inline SVG: one line per flow
//! over the last 24 hours. The template writes the numbers computed here; nothing
//! from a client reaches the drawing.

use crate::metrics::history::FlowCounts;

/// Width of the drawing area in SVG units.
pub const WIDTH: u64 = 720;
/// Height of the drawing area in SVG units.
pub const HEIGHT: u64 = 160;

/// One line of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The flow's name (also the CSS class and the legend).
    pub name: &'static str,
    /// The `points` attribute of the polyline: `x,y x,y ...`.
    pub points: String,
    /// The sum over the whole span.
    pub total: u64,
}

/// A chart ready for the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The lines, one per flow.
    pub lines: Vec<Line>,
    /// The largest value of one group (the top of the y axis).
    pub max: u64,
    /// Minutes per point.
    pub group_minutes: u64,
    /// Labels along the x axis: (x, text).
    pub ticks: Vec<(u64, String)>,
}

/// Draws `groups` (oldest first, `group_minutes` each, the last ending now).
pub fn draw(groups: &[FlowCounts], group_minutes: u64) -> Chart {
    type Pick = fn(&FlowCounts) -> u64;
    let flows: [(&'static str, Pick); 4] = [
        ("accepted", |c| c.accepted),
        ("delivered", |c| c.delivered),
        ("deferred", |c| c.deferred),
        ("rejected", |c| c.rejected + c.bounced),
    ];
    let max = groups
        .iter()
        .flat_map(|g| flows.iter().map(move |(_, pick)| pick(g)))
        .max()
        .unwrap_or(0)
        .max(1);
    let n = groups.len().max(2) as u64;
    let x = |i: usize| (i as u64) * WIDTH / (n - 1);
    let lines = flows
        .iter()
        .map(|(name, pick)| Line {
            name,
            points: groups
                .iter()
                .enumerate()
                .map(|(i, g)| format!("{},{}", x(i), HEIGHT - pick(g).min(max) * HEIGHT / max))
                .collect::<Vec<_>>()
                .join(" "),
            total: groups.iter().map(pick).sum(),
        })
        .collect();
    let span_hours = n * group_minutes / 60;
    let ticks = (0..=4)
        .map(|q| {
            let back = span_hours * (4 - q) / 4;
            let label = if back == 0 {
                "now".to_owned()
            } else {
                format!("-{back}h")
            };
            (q * WIDTH / 4, label)
        })
        .collect();
    Chart {
        lines,
        max,
        group_minutes,
        ticks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_to_the_largest_value() {
        let mut groups = vec![FlowCounts::default(); 48];
        groups[47].accepted = 10;
        groups[0].delivered = 5;
        let chart = draw(&groups, 30);
        assert_eq!(chart.max, 10);
        let accepted = &chart.lines[0];
        assert_eq!(accepted.total, 10);
        assert!(accepted.points.starts_with("0,160 "), "{}", accepted.points);
        assert!(accepted.points.ends_with(" 720,0"), "{}", accepted.points);
        assert!(chart.lines[1].points.starts_with("0,80 "));
        assert_eq!(chart.ticks.first().map(|t| t.1.as_str()), Some("-24h"));
        assert_eq!(chart.ticks.last().map(|t| t.1.as_str()), Some("now"));
        let empty = draw(&[], 30);
        assert_eq!(empty.max, 1);
        assert_eq!(empty.lines[0].points, "");
    }
}
