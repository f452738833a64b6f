// Applies the stored theme before the first paint (no flash of the wrong theme). A file of its own,
// not an inline script, so the page's Content-Security-Policy allows only the app's own scripts.
try {
  if (localStorage.getItem('flowdeck:theme') === 'light')
    document.documentElement.dataset.theme = 'light';
} catch {
  // no storage: the default theme
}
