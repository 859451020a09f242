// Front end of the toolkit's widgets (anywidget ESM entry point).
//
// Every widget (annotator views, side by side, review) uses this one module; the Python class
// sets the synced `view` trait to say what to draw.  Rules followed everywhere:
//  * article text and labels are inserted as text nodes / textContent only;
//  * offsets exchanged with Python are Unicode code points (JS strings index
//    UTF-16 units, so every offset is converted on the way in and out);
//  * the widget never changes annotation state itself: it sends a message,
//    Python writes to the store and then updates the synced traits, and only
//    then does the view redraw;
//  * keydown events stop at the widget root and the root carries
//    data-lm-suppress-shortcuts, so JupyterLab's command-mode keys never fire;
//  * every render returns its cleanup, which removes the model listeners it added;
//  * an error is shown in the view's status line and re-thrown (Python does the same).
//
// The source is split over helpers.js, textview.js, tagger.js, panels.js and review.js;
// toolkit/widgets/views.py concatenates them into the single module the browser loads.
import { el } from "./helpers.js";
import { renderTagger } from "./tagger.js";
import { renderNav, renderStances, renderLinks, renderSide } from "./panels.js";
import { renderStanceReview, renderSpanReview } from "./review.js";

const VIEWS = {
  tagger: renderTagger, nav: renderNav, stances: renderStances, links: renderLinks, side: renderSide,
  review_stances: renderStanceReview, review_spans: renderSpanReview,
};

function render({ model, el: host }) {
  const fn = VIEWS[model.get("view")];
  if (!fn) {
    host.appendChild(el("div", "nl-error", "unknown view " + model.get("view")));
    return undefined;
  }
  return fn(model, host);
}

export default { render };
