//! The month's cumulative daily spend against each monthly budget and its alert thresholds:
//! an SVG drawn on the server (each day's figure is in its <title>, so it reads without
//! JavaScript); after hydration, pointing at a day shows its figures above the chart.

use iam_core::billing::budget::{BudgetKind, ThresholdType, Trigger};
use iam_core::billing::forecast::Period;
use iam_core::billing::view::BillingDashboard;
use iam_core::billing::Micros;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

#[component]
pub fn CostChart(dashboard: BillingDashboard) -> impl IntoView {
    let days = f64::from(dashboard.days_in_month.max(1));
    let monthly: Vec<_> = dashboard
        .budgets
        .iter()
        .filter(|b| b.spec.period == Period::Monthly && b.spec.kind == BudgetKind::Cost)
        .cloned()
        .collect();
    let top = monthly
        .iter()
        .map(|b| b.spec.amount)
        .chain([dashboard.forecast, dashboard.month_to_date, Micros(1_000_000)])
        .max()
        .unwrap_or_default()
        .dollars()
        * 1.1;
    let x = move |day_index: f64| LEFT + (WIDTH - LEFT - 8.0) * day_index / days;
    let y = move |m: Micros| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - m.dollars() / top);
    let points: Vec<(f64, f64, String)> = dashboard
        .cumulative
        .iter()
        .enumerate()
        .map(|(i, (day, total))| {
            (
                x(i as f64 + 1.0),
                y(*total),
                format!("{}: {} so far", day.iso(), total.display()),
            )
        })
        .collect();
    let line: String = std::iter::once(format!("{:.1},{:.1}", x(0.0), y(Micros::ZERO)))
        .chain(points.iter().map(|(px, py, _)| format!("{px:.1},{py:.1}")))
        .collect::<Vec<_>>()
        .join(" ");
    let (last_x, last_y) = points.last().map_or((x(0.0), y(Micros::ZERO)), |p| (p.0, p.1));
    let forecast_y = y(dashboard.forecast);
    let (hovered, set_hovered) = signal(None::<String>);
    let ticks: Vec<(f64, String)> = (0..=4)
        .map(|i| {
            let value = Micros((top * 1e6 * f64::from(i) / 4.0) as i64);
            (y(value), value.display())
        })
        .collect();
    let budget_lines = monthly
        .iter()
        .flat_map(|b| {
            let mut lines = vec![(
                y(b.spec.amount),
                format!("Budget {}: {}", b.spec.name, b.spec.amount.display()),
                "budget-line",
            )];
            for alert in &b.spec.alerts {
                if alert.threshold_type == ThresholdType::Percentage && alert.trigger == Trigger::Actual {
                    let limit = alert.limit(b.spec.amount);
                    if limit != b.spec.amount {
                        lines.push((
                            y(limit),
                            format!("{} alert: {}", b.spec.name, limit.display()),
                            "threshold-line",
                        ));
                    }
                }
            }
            lines
        })
        .collect::<Vec<_>>();
    let summary = format!(
        "Cumulative spend this month: {} to date, forecast {}",
        dashboard.month_to_date.display(),
        dashboard.forecast.display()
    );
    view! {
        <figure class="chart" data-testid="cost-chart">
            <p class="chart-readout" aria-live="polite">{move || hovered.get().unwrap_or_else(|| "Point at a day to see its spend.".into())}</p>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary.clone()>
                <title>{summary.clone()}</title>
                {ticks.into_iter().map(|(ty, label)| view! {
                    <line x1=LEFT x2=WIDTH - 8.0 y1=ty y2=ty class="grid-line" />
                    <text x=LEFT - 6.0 y=ty + 4.0 text-anchor="end" class="axis-label">{label}</text>
                }).collect_view()}
                <text x=x(1.0) y=HEIGHT - 8.0 class="axis-label">{dashboard.month_start.iso()}</text>
                <text x=x(days) y=HEIGHT - 8.0 text-anchor="end" class="axis-label">"month end"</text>
                {budget_lines.into_iter().map(|(ly, label, class)| view! {
                    <line x1=LEFT x2=WIDTH - 8.0 y1=ly y2=ly class=class><title>{label.clone()}</title></line>
                    <text x=WIDTH - 10.0 y=ly - 4.0 text-anchor="end" class="axis-label">{label}</text>
                }).collect_view()}
                <line x1=last_x y1=last_y x2=x(days) y2=forecast_y class="forecast-line">
                    <title>{format!("Forecast for the month: {}", dashboard.forecast.display())}</title>
                </line>
                <polyline points=line class="spend-line" />
                {points.into_iter().map(|(px, py, label)| {
                    let shown = label.clone();
                    view! {
                        <circle cx=px cy=py r="4" class="spend-point" tabindex="0"
                            on:mouseenter=move |_| set_hovered.set(Some(shown.clone()))
                            on:focus={let shown = label.clone(); move |_| set_hovered.set(Some(shown.clone()))}>
                            <title>{label.clone()}</title>
                        </circle>
                    }
                }).collect_view()}
            </svg>
            <figcaption>"Cumulative daily spend (solid), the month's forecast (dashed), monthly budgets and their actual-spend alert thresholds."</figcaption>
        </figure>
    }
}
