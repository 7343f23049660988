// Browser helpers of the Ground page: pasted images, crop downloads and copying box JSON.
window.groundingWeb = {
  markInteractive: function () {
    document.body.setAttribute('data-interactive', 'true');
  },

  // A pasted image is handed to the page's <input type=file>, so paste, drop and the picker share one path.
  enablePaste: function (inputId) {
    if (window.groundingWeb._pasteBound) return;
    window.groundingWeb._pasteBound = true;
    document.addEventListener('paste', function (event) {
      const input = document.getElementById(inputId);
      if (!input || !event.clipboardData) return;
      const file = Array.from(event.clipboardData.files).find(f => f.type.startsWith('image/'));
      if (!file) return;
      event.preventDefault();
      const transfer = new DataTransfer();
      transfer.items.add(new File([file], file.name || 'pasted-image.png', { type: file.type }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
  },

  download: async function (fileName, streamReference) {
    const buffer = await streamReference.arrayBuffer();
    const url = URL.createObjectURL(new Blob([buffer], { type: 'image/png' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    URL.revokeObjectURL(url);
  },

  // navigator.clipboard needs a secure context; plain http on a LAN address falls back to execCommand.
  copyText: async function (text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
};
