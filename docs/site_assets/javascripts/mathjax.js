// MathJax 3 for the site (python -m lossfns.site): the API pages' formulas (pymdownx.arithmatex,
// generic mode: class "arithmatex") and the notebooks' markdown cells (class
// "jp-RenderedMarkdown", TeX between $ and $$, in the cell's paragraphs and lists). An element
// with any other class (the theme's navigation, tables, code) is skipped with its content:
// ignoreHtmlClass ".+" (not the API's ".*|", which would also skip a cell's unclassed <p>). MathJax itself is served from the
// site (assets/mathjax/, copied from the lock's django-static-mathjax by tools/api_docs.py): no CDN.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown"
  }
};
