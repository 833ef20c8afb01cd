/** A page that is planned but not built yet: says what it will do, so no link leads to a blank screen. */
export function PlaceholderPage({ title, blurb }: { title: string; blurb: string }) {
  return (
    <section className="card placeholder">
      <h1>{title}</h1>
      <p className="lede">{blurb}</p>
      <p className="muted">
        This part of the playground is being built. The GPU check and the dataset pages already work.
      </p>
    </section>
  );
}
