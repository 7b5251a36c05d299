export type ObjectiveJson = { code: string, title: string, };
