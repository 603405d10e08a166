//! Charts drawn on the server as inline SVG (no script, no request), each with a text
//! equivalent: a description read out in place of the picture, and the numbers as a table.

use leptos::prelude::*;

/// One bar: its label, its size, and the value as people read it ("$120.00", "3").
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

const WIDTH: f64 = 640.0;

fn scale(bars: &[ChartBar]) -> f64 {
    bars.iter()
        .map(|bar| bar.value)
        .fold(0.0, f64::max)
        .max(1.0)
}

/// The numbers behind a chart, folded away under a summary line.
#[component]
fn ChartTable(bars: Vec<ChartBar>, label_header: String, value_header: String) -> impl IntoView {
    view! {
        <details class="chart-data">
            <summary>"Show the numbers"</summary>
            <table class="data-table">
                <thead>
                    <tr><th scope="col">{label_header}</th><th scope="col" class="numeric">{value_header}</th></tr>
                </thead>
                <tbody>
                    {bars.into_iter().map(|bar| view! {
                        <tr><th scope="row">{bar.label}</th><td class="numeric">{bar.shown}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// Vertical columns over time (the oldest on the left); every `label_every`-th label is drawn.
#[component]
pub fn ColumnChart(
    #[prop(into)] id: String,
    #[prop(into)] title: String,
    /// What the chart shows, in words: read out instead of the picture.
    #[prop(into)]
    description: String,
    bars: Vec<ChartBar>,
    #[prop(into)] label_header: String,
    #[prop(into)] value_header: String,
    #[prop(default = 5)] label_every: usize,
) -> impl IntoView {
    let height = 200.0;
    let (top, bottom) = (16.0, 28.0);
    let plot = height - top - bottom;
    let max = scale(&bars);
    let slot = WIDTH / bars.len().max(1) as f64;
    let columns = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let h = (bar.value / max * plot).max(if bar.value > 0.0 { 2.0 } else { 0.0 });
            let x = i as f64 * slot + slot * 0.15;
            let last = i + 1 == bars.len();
            // The first and last labels lean inwards, so neither is cut off at the edge.
            let (label_x, anchor) = match (i, last) {
                (0, _) => (x, "start"),
                (_, true) => (x + slot * 0.7, "end"),
                _ => (x + slot * 0.35, "middle"),
            };
            let label = (i % label_every == 0 || last).then(|| {
                view! {
                    <text x=format!("{label_x:.1}") y=format!("{:.1}", height - 8.0)
                        text-anchor=anchor class="chart-axis">{bar.label.clone()}</text>
                }
            });
            view! {
                <rect x=format!("{x:.1}") y=format!("{:.1}", top + plot - h) width=format!("{:.1}", slot * 0.7)
                    height=format!("{h:.1}") rx="2" class="chart-bar">
                    <title>{format!("{}: {}", bar.label, bar.shown)}</title>
                </rect>
                {label}
            }
        })
        .collect_view();
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    view! {
        <figure class="chart" id=id.clone()>
            <figcaption class="chart-title">{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img"
                aria-labelledby=labelled_by class="chart-svg">
                <title id=title_id>{title}</title>
                <desc id=desc_id>{description.clone()}</desc>
                <line x1="0" x2=WIDTH.to_string() y1=format!("{:.1}", top + plot) y2=format!("{:.1}", top + plot) class="chart-baseline" />
                <text x="0" y="11" class="chart-axis">{format!("max {}", bars.iter().find(|b| b.value == max).map(|b| b.shown.clone()).unwrap_or_else(|| "0".to_owned()))}</text>
                {columns}
            </svg>
            <p class="chart-description muted small">{description}</p>
            <ChartTable bars label_header=label_header value_header=value_header />
        </figure>
    }
}

/// Horizontal bars, one per category, each labelled with its value.
#[component]
pub fn BarChart(
    #[prop(into)] id: String,
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    bars: Vec<ChartBar>,
    #[prop(into)] label_header: String,
    #[prop(into)] value_header: String,
) -> impl IntoView {
    let row = 30.0;
    let label_width = 170.0;
    let value_width = 110.0;
    let height = (bars.len().max(1) as f64) * row;
    let max = scale(&bars);
    let room = WIDTH - label_width - value_width;
    let rows = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let y = i as f64 * row;
            let w = (bar.value / max * room).max(if bar.value > 0.0 { 2.0 } else { 0.0 });
            view! {
                <text x=format!("{:.1}", label_width - 8.0) y=format!("{:.1}", y + 19.0) text-anchor="end" class="chart-label">{bar.label.clone()}</text>
                <rect x=label_width.to_string() y=format!("{:.1}", y + 6.0) width=format!("{w:.1}") height="18" rx="3" class="chart-bar">
                    <title>{format!("{}: {}", bar.label, bar.shown)}</title>
                </rect>
                <text x=format!("{:.1}", label_width + w + 6.0) y=format!("{:.1}", y + 19.0) class="chart-value">{bar.shown.clone()}</text>
            }
        })
        .collect_view();
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    view! {
        <figure class="chart" id=id.clone()>
            <figcaption class="chart-title">{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img"
                aria-labelledby=labelled_by class="chart-svg chart-svg-bars">
                <title id=title_id>{title}</title>
                <desc id=desc_id>{description.clone()}</desc>
                {rows}
            </svg>
            <p class="chart-description muted small">{description}</p>
            <ChartTable bars label_header=label_header value_header=value_header />
        </figure>
    }
}
