/** Free text (names, books, search terms) may hold any character but control characters. */
export const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;
