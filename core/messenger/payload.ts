/** The part of a message text a contact list shows as its last message. */
export function preview(text: string): string {
  return text.length > 200 ? text.slice(0, 200) : text
}
