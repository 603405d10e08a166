//! Ratings on screen: stars with their words, the rating summary with its 5-to-1 distribution
//! bars, the star picker of the review form, and the numbered pager of review lists.

use leptos::prelude::*;

use crate::domain::reviews::{RatingSummary, star_glyphs, stars_in_words};

/// A rating drawn as stars; screen readers hear "4 out of 5 stars".
#[component]
pub fn Stars(rating: i16) -> impl IntoView {
    view! {
        <span class="stars" role="img" aria-label=format!("{rating} out of 5 stars")>
            {star_glyphs(rating)}
        </span>
    }
}

/// The average, the count, and one bar per star rating from 5 down to 1. Each bar's count is
/// written beside it, so the chart reads the same without seeing it. When `filter_href` is given,
/// each star label links to the reviews with that rating.
#[component]
pub fn RatingSummaryPanel(
    summary: RatingSummary,
    #[prop(optional)] filter_href: Option<Callback<i16, String>>,
) -> impl IntoView {
    let headline = if summary.total == 0 {
        view! { <p class="rating-average"><span class="muted">"No reviews yet"</span></p> }
            .into_any()
    } else {
        let rounded = (summary.average * rust_decimal::Decimal::from(2))
            .round()
            .try_into()
            .map(|doubled: i64| (doubled / 2) as i16)
            .unwrap_or(0);
        view! {
            <p class="rating-average">
                <span class="rating-number">{format!("{:.1}", summary.average)}</span>
                <span class="rating-out-of">" out of 5"</span>
                <Stars rating=rounded />
            </p>
            <p class="muted rating-count">
                {if summary.total == 1 { "1 review".to_owned() } else { format!("{} reviews", summary.total) }}
            </p>
        }
        .into_any()
    };
    let bars = (1..=5)
        .rev()
        .map(|stars: i16| {
            let count = summary.count_of(stars);
            let percent = summary.percent_of(stars);
            let label = stars_in_words(stars);
            let label_view = match filter_href {
                Some(href) if count > 0 => view! {
                    <a href=href.run(stars) aria-label=format!("Show {label} reviews")>{label.clone()}</a>
                }
                .into_any(),
                _ => view! { <span>{label.clone()}</span> }.into_any(),
            };
            view! {
                <li class="rating-bar-row">
                    <span class="rating-bar-label">{label_view}</span>
                    <span class="rating-bar" aria-hidden="true">
                        <span class="rating-bar-fill" style=format!("width: {percent}%")></span>
                    </span>
                    <span class="rating-bar-count">
                        {count}
                        <span class="visually-hidden">{format!(" reviews ({percent}%)")}</span>
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="rating-summary">
            <div class="rating-headline">{headline}</div>
            <ul class="rating-bars" aria-label="How patients rated">
                {bars}
            </ul>
        </div>
    }
}

/// Five radio buttons, one per star, in a labelled group: arrow keys move between them, and the
/// chosen star and those before it are drawn filled.
#[component]
pub fn StarPicker(
    /// Unique per page (several forms may show a picker at once).
    #[prop(into)]
    id: String,
    #[prop(optional)] value: Option<i16>,
    error: Signal<Option<crate::domain::AppError>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = error_id.clone();
    let message = Memo::new(move |_| error.get().and_then(|e| e.message_for("rating")));
    view! {
        <fieldset class="field star-field" class:has-error=move || message.get().is_some()
            aria-describedby=described_by>
            <legend>"Your rating"</legend>
            <div class="star-picker">
                {(1..=5)
                    .map(|stars: i16| {
                        let words = stars_in_words(stars);
                        let title = words.clone();
                        view! {
                            <label class="star" title=title>
                                <input type="radio" name="rating" value=stars.to_string()
                                    required=true checked=value == Some(stars) />
                                <span aria-hidden="true">"★"</span>
                                <span class="visually-hidden">{words}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="field-error" id=error_id aria-live="polite">{move || message.get()}</p>
        </fieldset>
    }
}
