/* The reader's side of article pages and lists, for pages served from a cache:
 * 1. Times of stories under a day old read "منذ 3 ساعات" / "3 hours ago", computed here
 *    from each <time datetime> (the cached page's text would go stale); the exact time
 *    stays in its title. Older stories keep the server's date.
 * 2. An article page sends one beacon (POST, no cookie, no identifier) to count a read;
 *    a reload within a minute is not counted again (sessionStorage, this tab only). */
(function () {
  "use strict";

  var DAY_MINUTES = 24 * 60;

  // Arabic counts: 1 and 2 have their own forms, 3-10 take the plural, 11+ the singular.
  function arabicCount(n, one, two, few, many) {
    if (n === 1) return one;
    if (n === 2) return two;
    if (n % 100 >= 3 && n % 100 <= 10) return n + " " + few;
    return n + " " + many;
  }

  function relativeTime(minutes, language) {
    var hours = Math.floor(minutes / 60);
    if (language === "ar") {
      if (minutes < 1) return "الآن";
      if (minutes < 60) return "منذ " + arabicCount(minutes, "دقيقة", "دقيقتين", "دقائق", "دقيقة");
      return "منذ " + arabicCount(hours, "ساعة", "ساعتين", "ساعات", "ساعة");
    }
    if (minutes < 1) return "just now";
    if (minutes < 60) return minutes === 1 ? "1 minute ago" : minutes + " minutes ago";
    return hours === 1 ? "1 hour ago" : hours + " hours ago";
  }
  window.newsroomRelativeTime = relativeTime;

  function refreshTimes() {
    var language = (document.documentElement.lang || "ar").slice(0, 2);
    var now = Date.now();
    // Only times of day (a date alone, like the masthead's, stays as it is).
    document.querySelectorAll('time[datetime*="T"]').forEach(function (element) {
      var when = Date.parse(element.getAttribute("datetime"));
      if (isNaN(when)) return;
      var minutes = Math.floor((now - when) / 60000);
      if (!element.dataset.exact) element.dataset.exact = element.textContent;
      if (minutes >= 0 && minutes < DAY_MINUTES) {
        element.textContent = relativeTime(minutes, language);
      } else {
        element.textContent = element.dataset.exact;
      }
    });
  }

  function countRead() {
    var article = document.querySelector("[data-read-url]");
    if (!article || !navigator.sendBeacon) return;
    var url = article.getAttribute("data-read-url");
    var key = "newsroom-read:" + url;
    try {
      var last = Number(sessionStorage.getItem(key) || 0);
      if (Date.now() - last < 60000) return;
      sessionStorage.setItem(key, String(Date.now()));
    } catch (error) {
      /* storage refused (private mode): count the read anyway */
    }
    navigator.sendBeacon(url);
  }

  function start() {
    refreshTimes();
    setInterval(refreshTimes, 60000);
    countRead();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
