// All 12 operations through openapi-fetch, typed by openapi-typescript's `schema.d.ts`.
// Compiled with `tsc --strict` next to the generated files; run as `node main.js BASE_URL TOKEN`.
// Prints what it observed as one JSON object; tests/test_generated_clients.py asserts on it.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { personaExample, workflowExample } from "./examples";

type Schemas = components["schemas"];

// The generated types are not `any`: an action type the spec does not list must not compile.
// @ts-expect-error -- "reboot" is not in Action.type's enum
export const notAnAction: Schemas["Action"] = { type: "reboot" };

async function main(baseUrl: string, token: string): Promise<Record<string, unknown>> {
    const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
    const workspace_name = "demo";
    const seen: Record<string, unknown> = {};

    const workflows = await client.GET("/api/v3/workspaces/{workspace_name}/workflows/", {
        params: { path: { workspace_name }, query: { page: 1, page_size: 2 } },
    });
    const workflowPage: Schemas["PaginatedWorkflowList"] | undefined = workflows.data;
    const firstWorkflow: Schemas["Workflow"] | undefined = workflowPage?.results[0];
    seen.listWorkflows = {
        status: workflows.response.status,
        count: workflowPage?.count,
        next: workflowPage?.next,
        ids: workflowPage?.results.map((w) => w.id),
        keys: firstWorkflow && Object.keys(firstWorkflow).sort(),
        triggerType: firstWorkflow?.trigger.type,
    };

    // The spec's own create example, typed as WorkflowInput in examples.ts (parameters and all).
    const created = await client.POST("/api/v3/workspaces/{workspace_name}/workflows/", {
        params: { path: { workspace_name } },
        body: workflowExample,
    });
    const workflow: Schemas["Workflow"] | undefined = created.data;
    if (workflow === undefined) throw new Error(`createWorkflow: ${created.response.status}`);
    const workflow_id = workflow.id;
    const item = { params: { path: { workspace_name, workflow_id } } };
    seen.createWorkflow = {
        status: created.response.status,
        id: workflow_id,
        location: created.response.headers.get("Location"),
        parameters: workflow.actions[0].parameters,
    };

    const got = await client.GET("/api/v3/workspaces/{workspace_name}/workflows/{workflow_id}", item);
    const trigger = got.data?.trigger;
    seen.getWorkflow = {
        status: got.response.status,
        id: got.data?.id,
        name: got.data?.name,
        parameters: got.data?.actions[0].parameters,
        schedule: trigger?.type === "schedule" ? trigger.schedule : null,
    };

    const updated = await client.PUT("/api/v3/workspaces/{workspace_name}/workflows/{workflow_id}", {
        ...item,
        body: { name: "Nightly check", enabled: false, trigger: { type: "manual" }, actions: [{ type: "notify" }] },
    });
    seen.updateWorkflow = {
        status: updated.response.status,
        name: updated.data?.name,
        enabled: updated.data?.enabled,
        triggerType: updated.data?.trigger.type,
        description: updated.data?.description,
    };

    const run = await client.POST("/api/v3/workspaces/{workspace_name}/workflows/{workflow_id}/run", item);
    const result: Schemas["WorkflowRun"] | undefined = run.data;
    seen.runWorkflow = {
        status: run.response.status,
        workflowId: result?.workflowId,
        runStatus: result?.status,
        actionTypes: result?.actions.map((a) => a.type),
    };

    const webhook = await client.GET("/api/v3/workspaces/{workspace_name}/workflows/{workflow_id}/token", item);
    seen.getWorkflowToken = { status: webhook.response.status, token: webhook.data?.token };

    const deleted = await client.DELETE("/api/v3/workspaces/{workspace_name}/workflows/{workflow_id}", item);
    const gone = await client.GET("/api/v3/workspaces/{workspace_name}/workflows/{workflow_id}", item);
    seen.deleteWorkflow = { status: deleted.response.status, after: gone.response.status, detail: gone.error?.detail };

    const personas = await client.GET("/api/v3/workspaces/{workspace_name}/personas/", {
        params: { path: { workspace_name } },
    });
    const firstPersona: Schemas["PersonaSummary"] | undefined = personas.data?.results[0];
    seen.listPersonas = {
        status: personas.response.status,
        count: personas.data?.count,
        next: personas.data?.next,
        names: personas.data?.results.map((p) => p.name),
        keys: firstPersona && Object.keys(firstPersona).sort(),
        fullName: firstPersona?.fullName,
    };

    const newPersona = await client.POST("/api/v3/workspaces/{workspace_name}/personas/", {
        params: { path: { workspace_name } },
        body: { ...personaExample, name: "ts-fetch-watcher" },
    });
    if (newPersona.data === undefined) throw new Error(`createPersona: ${newPersona.response.status}`);
    const personaItem = { params: { path: { workspace_name, persona_id: newPersona.data.id } } };
    seen.createPersona = {
        status: newPersona.response.status,
        id: newPersona.data.id,
        name: newPersona.data.name,
        searchFilters: newPersona.data.searchFilters,
    };

    const persona = await client.GET("/api/v3/workspaces/{workspace_name}/personas/{persona_id}", personaItem);
    seen.getPersona = {
        status: persona.response.status,
        name: persona.data?.name,
        searchFilters: persona.data?.searchFilters,
        runConfidenceThreshold: persona.data?.runConfidenceThreshold,
    };

    // Only the required fields: every defaulted one is optional in the input type.
    const replaced = await client.PUT("/api/v3/workspaces/{workspace_name}/personas/{persona_id}", {
        ...personaItem,
        body: { name: "ts-fetch-watcher", fullName: "Renamed Watcher" },
    });
    seen.updatePersona = {
        status: replaced.response.status,
        fullName: replaced.data?.fullName,
        filterConfidenceThreshold: replaced.data?.filterConfidenceThreshold,
        searchFilters: replaced.data?.searchFilters,
    };

    const removed = await client.DELETE("/api/v3/workspaces/{workspace_name}/personas/{persona_id}", personaItem);
    const after = await client.GET("/api/v3/workspaces/{workspace_name}/personas/{persona_id}", personaItem);
    seen.deletePersona = { status: removed.response.status, after: after.response.status, detail: after.error?.detail };
    return seen;
}

const [baseUrl, token] = process.argv.slice(2);
main(baseUrl, token).then(
    (seen) => console.log(JSON.stringify(seen)),
    (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
    },
);
