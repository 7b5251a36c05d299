export type StrayReferenceJson = { control: string, reference: string, reason: string, };
