// MathJax 3 for pymdownx.arithmatex (generic mode): typeset only what arithmatex marked.
// MathJax itself is served from this site (assets/mathjax/, copied from the lock's
// django-static-mathjax by tools/api_docs.py): no CDN.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};
