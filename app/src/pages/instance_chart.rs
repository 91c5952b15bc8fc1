//! An instance's last 30 days as an SVG line chart drawn on the server (no JavaScript
//! needed): sent, delivered, read and failed per day, and a mark under each day with a
//! disconnect.

use leptos::prelude::*;

use crate::types::InstanceDay;

/// The drawing's width and height, in SVG units.
const W: f64 = 300.0;
const H: f64 = 100.0;
/// Room under the lines for the disconnect marks.
const MARKS: f64 = 12.0;

/// One series: its CSS colour class and how to read it from a day.
pub struct Series {
    /// Tailwind stroke class.
    pub stroke: &'static str,
    /// The series' value on a day.
    pub pick: fn(&InstanceDay) -> i64,
}

/// The four series, in legend order: sent, delivered, read, failed.
pub const SERIES: [Series; 4] = [
    Series {
        stroke: "stroke-slate-500",
        pick: |d| d.counts.sent,
    },
    Series {
        stroke: "stroke-sky-600",
        pick: |d| d.counts.delivered,
    },
    Series {
        stroke: "stroke-emerald-600",
        pick: |d| d.counts.read,
    },
    Series {
        stroke: "stroke-rose-600",
        pick: |d| d.counts.failed,
    },
];

/// The `points` of a polyline of `values` scaled to the chart (the largest value at the top).
pub fn points(values: &[i64], max: i64) -> String {
    let n = values.len().max(2) as f64;
    let top = max.max(1) as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = W * i as f64 / (n - 1.0);
            let y = (H - MARKS) * (1.0 - *v as f64 / top);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The chart. `label` describes it for screen readers (the totals, in the reader's
/// language).
#[component]
pub fn InstanceChart(
    /// The days, oldest first.
    days: Vec<InstanceDay>,
    /// What the chart says, for screen readers.
    label: String,
) -> impl IntoView {
    let max = days
        .iter()
        .flat_map(|d| SERIES.iter().map(move |s| (s.pick)(d)))
        .max()
        .unwrap_or(0);
    let n = days.len().max(2) as f64;
    let lines = SERIES
        .iter()
        .map(|s| {
            let values: Vec<i64> = days.iter().map(s.pick).collect();
            view! {
                <polyline
                    points=points(&values, max)
                    fill="none"
                    class=format!("{} [stroke-width:1.5]", s.stroke)
                    vector-effect="non-scaling-stroke"
                ></polyline>
            }
        })
        .collect_view();
    let marks = days
        .iter()
        .enumerate()
        .filter(|(_, d)| d.disconnects > 0)
        .map(|(i, _)| {
            let x = W * i as f64 / (n - 1.0);
            view! { <rect x=format!("{:.1}", x - 2.0) y=H - 8.0 width="4" height="8" class="fill-amber-600"></rect> }
        })
        .collect_view();
    view! {
        <svg
            viewBox=format!("0 0 {W} {H}")
            preserveAspectRatio="none"
            role="img"
            aria-label=label
            class="h-24 w-full overflow-visible"
            data-testid="instance-chart"
        >
            <line x1="0" y1=H - MARKS x2=W y2=H - MARKS class="stroke-slate-200" vector-effect="non-scaling-stroke"></line>
            {lines}
            {marks}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_span_the_width_and_put_the_largest_on_top() {
        assert_eq!(points(&[0, 10, 5], 10), "0.0,88.0 150.0,0.0 300.0,44.0");
        // An empty month is a flat line at the bottom, not a division by zero.
        assert_eq!(points(&[0, 0], 0), "0.0,88.0 300.0,88.0");
    }
}
