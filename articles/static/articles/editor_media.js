// The body editor's newsroom blocks (django-prose-editor extensions, configured in
// articles/admin.py): figures from the media library, embeds of known providers and pull
// quotes. The body stores references only (a picture's id, a post's address); the server
// cleans every body (articles/html.py) and renders them for readers (articles/body.py).
import { Extension, Node, Plugin, updateAttrsDialog } from "django-prose-editor/editor"

// A new block goes after a selected figure or embed, never in its place.
const insertBlock = (editor, content) => {
  const { selection } = editor.state
  const chain = editor.chain().focus()
  return (selection.node ? chain.insertContentAt(selection.to, content) : chain.insertContent(content)).run()
}

const element = (tag, attributes = {}, children = []) => {
  const node = document.createElement(tag)
  Object.assign(node, attributes)
  node.append(...children)
  return node
}

// The admin's own lookup popup (RelatedObjectLookups.js) writes the chosen id into the
// element named like the window.
const openLibrary = (input, url) => {
  const popup = window.open(`${url}?_popup=1&_to_field=id`, input.id, "height=700,width=1000,resizable=yes,scrollbars=yes")
  popup?.focus()
}

const figureDialog = (editor, options, values) =>
  updateAttrsDialog(
    {
      imageId: {
        type: "string",
        title: options.labels.picture,
        description: options.labels.pictureHelp,
        required: true,
        picker: { label: options.labels.choose, handler: ({ input }) => openLibrary(input, options.libraryUrl) },
      },
      caption: { type: "string", title: options.labels.caption, description: options.labels.captionHelp },
    },
    { title: options.labels.figure, submitText: options.labels.insert },
  )(editor, values)

export const NewsFigure = Node.create({
  name: "newsFigure",
  group: "block",
  atom: true,
  draggable: true,

  addOptions() {
    return { labels: {}, libraryUrl: "" }
  },

  addAttributes() {
    return {
      imageId: {
        default: null,
        parseHTML: (figure) => figure.getAttribute("data-image"),
        renderHTML: (attributes) => ({ "data-image": attributes.imageId }),
      },
      caption: {
        default: "",
        parseHTML: (figure) => figure.querySelector("figcaption")?.textContent || "",
        renderHTML: () => ({}),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-image]" }]
  },

  renderHTML({ node, HTMLAttributes }) {
    return node.attrs.caption ? ["figure", HTMLAttributes, ["figcaption", node.attrs.caption]] : ["figure", HTMLAttributes]
  },

  addNodeView() {
    const { labels, libraryUrl } = this.options
    return ({ node }) => {
      const dom = element("figure", { className: "news-figure-preview" })
      dom.dataset.image = node.attrs.imageId
      const caption = element("figcaption", { textContent: node.attrs.caption })
      dom.append(caption)
      fetch(`${libraryUrl}${encodeURIComponent(node.attrs.imageId)}/card/`, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : null))
        .then((card) => {
          if (!card) {
            // The picture was deleted: readers see nothing here.
            dom.classList.add("news-figure-missing")
            dom.prepend(element("p", { className: "errornote", textContent: labels.missing }))
            return
          }
          dom.prepend(element("img", { src: card.thumbnail, alt: card.alt, width: 160, height: 160 }))
          if (!node.attrs.caption) caption.textContent = card.caption
        })
      return { dom }
    }
  },

  addMenuItems({ buttons, menu }) {
    const options = this.options
    menu.defineItem({
      name: "newsFigure",
      groups: "nodes",
      button: buttons.material("add_photo_alternate", options.labels.figure),
      active: (editor) => editor.isActive("newsFigure"),
      command(editor) {
        const editing = editor.isActive("newsFigure")
        const current = editing ? editor.getAttributes("newsFigure") : { imageId: "", caption: "" }
        figureDialog(editor, options, { imageId: current.imageId || "", caption: current.caption || "" }).then((values) => {
          if (!values || !/^\d+$/.test(values.imageId.trim())) return
          const attributes = { imageId: values.imageId.trim(), caption: values.caption.trim() }
          if (editing) editor.chain().focus().updateAttributes("newsFigure", attributes).run()
          else insertBlock(editor, { type: "newsFigure", attrs: attributes })
        })
      },
    })
  },
})

export const NewsEmbed = Node.create({
  name: "newsEmbed",
  group: "block",
  atom: true,
  draggable: true,

  addOptions() {
    return { labels: {}, checkUrl: "" }
  },

  addAttributes() {
    return {
      url: {
        default: "",
        parseHTML: (figure) => figure.getAttribute("data-embed"),
        renderHTML: (attributes) => ({ "data-embed": attributes.url }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-embed]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]
  },

  addNodeView() {
    return ({ node }) => {
      const dom = element("figure", { className: "news-embed-preview" }, [
        element("span", { className: "material-icons", textContent: "smart_display" }),
        element("bdi", { textContent: node.attrs.url, dir: "ltr" }),
      ])
      return { dom }
    }
  },

  // A pasted address of a provider's post or video becomes an embed.
  addProseMirrorPlugins() {
    const extension = this
    return [
      new Plugin({
        props: {
          handlePaste(_view, event) {
            const text = event.clipboardData?.getData("text/plain")?.trim() || ""
            if (!PROVIDER_ADDRESS.test(text)) return false
            embed(extension.editor, extension.options, text)
            return true
          },
        },
      }),
    ]
  },

  addMenuItems({ buttons, menu }) {
    const options = this.options
    menu.defineItem({
      name: "newsEmbed",
      groups: "nodes",
      button: buttons.material("smart_display", options.labels.embed),
      command: (editor) => askForEmbed(editor, options, "", ""),
    })
  },
})

// Only a hint of what to check: the server decides (articles/embeds.py), one rule for the
// editor and the sanitiser.
const PROVIDER_ADDRESS =
  /^https?:\/\/(www\.|m\.|mobile\.)?(youtube\.com|youtu\.be|vimeo\.com|x\.com|twitter\.com|t\.me|facebook\.com)\/\S*$/i

const embed = (editor, options, url) =>
  fetch(`${options.checkUrl}?${new URLSearchParams({ url })}`, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((result) => {
      if (result.url) insertBlock(editor, { type: "newsEmbed", attrs: { url: result.url } })
      else askForEmbed(editor, options, url, `⚠ ${result.message}`)
    })

const askForEmbed = (editor, options, url, problem) =>
  updateAttrsDialog(
    { url: { type: "string", title: options.labels.address, description: problem || options.labels.help, required: true } },
    { title: options.labels.embed, submitText: options.labels.insert },
  )(editor, { url }).then((values) => values && embed(editor, options, values.url.trim()))

export const PullQuote = Extension.create({
  name: "pullQuote",

  addOptions() {
    return { labels: {} }
  },

  addGlobalAttributes() {
    return [
      {
        types: ["blockquote"],
        attributes: {
          class: {
            default: null,
            parseHTML: (quote) => (quote.classList.contains("pull-quote") ? "pull-quote" : null),
            renderHTML: (attributes) => (attributes.class ? { class: attributes.class } : {}),
          },
        },
      },
    ]
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "pullQuote",
      groups: "nodes",
      button: buttons.material("record_voice_over", this.options.labels.pullQuote),
      active: (editor) => editor.isActive("blockquote", { class: "pull-quote" }),
      command(editor) {
        if (editor.isActive("blockquote", { class: "pull-quote" })) {
          editor.chain().focus().updateAttributes("blockquote", { class: null }).run()
        } else if (editor.isActive("blockquote")) {
          editor.chain().focus().updateAttributes("blockquote", { class: "pull-quote" }).run()
        } else {
          editor.chain().focus().toggleBlockquote().updateAttributes("blockquote", { class: "pull-quote" }).run()
        }
      },
    })
  },
})
