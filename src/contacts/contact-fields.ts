/**
 * The fields a user gives a contact, in the contract's order. The API view, the CSV export,
 * PATCH/merge in ContactsService, the import planner and the vCard writer all speak of this
 * same list, so it is written once here.
 */
export const CONTACT_TEXT_FIELDS = ['name', 'email', 'phone', 'company', 'title', 'location', 'githubUsername', 'twitter', 'linkedin', 'website', 'notes'] as const;

/** Every field a user can edit: the text fields, then the VIP flag and the keep-in-touch cadence. */
export const CONTACT_EDITABLE_FIELDS = [...CONTACT_TEXT_FIELDS, 'isVip', 'keepInTouchDays'] as const;

export type ContactTextField = (typeof CONTACT_TEXT_FIELDS)[number];
export type ContactEditableField = (typeof CONTACT_EDITABLE_FIELDS)[number];

/** The text fields as stored: a name always, the others null when empty. */
export type ContactTextValues = { name: string } & { [K in Exclude<ContactTextField, 'name'>]: string | null };

/** Every editable field as stored. */
export type ContactEditableValues = ContactTextValues & { isVip: boolean; keepInTouchDays: number | null };
