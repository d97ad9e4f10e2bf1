// Numbers in the charts as the page's language writes them, like src/domain/format.rs:
// Vietnamese `1.234.567 ₫` and `12,5`, English `1,234,567 ₫` and `12.5`. Chart options
// name these functions (src/components/chart.rs); the language is the page's <html lang>.
(function () {
  'use strict';
  function number(value, decimals) {
    var n = Number(value);
    if (value === null || value === undefined || value === '' || !isFinite(n)) {
      return value === null || value === undefined ? '–' : String(value);
    }
    var english = document.documentElement.lang === 'en';
    var fixed = Math.abs(n).toFixed(decimals).split('.');
    var whole = fixed[0].replace(/\B(?=(\d{3})+(?!\d))/g, english ? ',' : '.');
    var fraction = (fixed[1] || '').replace(/0+$/, '');
    var sign = n < 0 && Number(fixed.join('.')) !== 0 ? '-' : '';
    return sign + whole + (fraction ? (english ? '.' : ',') + fraction : '');
  }
  window.ut360Format = {
    // Counts; an axis may put ticks between whole numbers.
    count: function (value) { return number(value, 2); },
    // Whole đồng.
    money: function (value) { return number(value, 0) + ' ₫'; },
    percent: function (value) { return number(value, 1) + '%'; }
  };
})();
