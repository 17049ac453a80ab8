

module t_slip_encoder(clock,reset,in_data,in_end,in_valid,in_ready,out_data,out_valid,out_ready);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  [7:0] in_data;
    input wire  in_end;
    input wire  in_valid;
    output reg  in_ready;
    output reg  [7:0] out_data;
    output reg  out_valid;
    input wire  out_ready;
    
    // Constant declarations
    localparam  k_end = 8'hc0;
    localparam  k_esc = 8'hdb;
    localparam  k_esc_end = 8'hdc;
    localparam  k_esc_esc = 8'hdd;
    
    // Stub signals
    reg  [7:0] data$d;
    wire  [7:0] data$q;
    reg  data$clock;
    reg  valid$d;
    wire  valid$q;
    reg  valid$clock;
    reg  [7:0] pending$d;
    wire  [7:0] pending$q;
    reg  pending$clock;
    reg  has_pending$d;
    wire  has_pending$q;
    reg  has_pending$clock;
    
    // Local signals
    reg  free;
    
    // Sub module instances
    t_slip_encoder$data data(
        .d(data$d),
        .q(data$q),
        .clock(data$clock)
    );
    t_slip_encoder$valid valid(
        .d(valid$d),
        .q(valid$q),
        .clock(valid$clock)
    );
    t_slip_encoder$pending pending(
        .d(pending$d),
        .q(pending$q),
        .clock(pending$clock)
    );
    t_slip_encoder$has_pending has_pending(
        .d(has_pending$d),
        .q(has_pending$q),
        .clock(has_pending$clock)
    );
    
    // Update code
    always @(*) begin
        data$clock = clock;
        valid$clock = clock;
        pending$clock = clock;
        has_pending$clock = clock;
        data$d = data$q;
        valid$d = valid$q;
        pending$d = pending$q;
        has_pending$d = has_pending$q;
        out_data = data$q;
        out_valid = valid$q;
        free = ~valid$q | out_ready;
        in_ready = free & ~has_pending$q;
        if (free) begin
            valid$d = 1'b0;
            if (has_pending$q) begin
                data$d = pending$q;
                valid$d = 1'b1;
                has_pending$d = 1'b0;
            end
            else if (in_valid) begin
                valid$d = 1'b1;
                if (in_end) begin
                    data$d = k_end;
                end
                else if (in_data == k_end) begin
                    data$d = k_esc;
                    pending$d = k_esc_end;
                    has_pending$d = 1'b1;
                end
                else if (in_data == k_esc) begin
                    data$d = k_esc;
                    pending$d = k_esc_esc;
                    has_pending$d = 1'b1;
                end
                else begin
                    data$d = in_data;
                end
            end
        end
        if (reset) begin
            valid$d = 1'b0;
            has_pending$d = 1'b0;
        end
    end
    
endmodule // t_slip_encoder


module t_slip_encoder$data(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_slip_encoder$data


module t_slip_encoder$has_pending(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_slip_encoder$has_pending


module t_slip_encoder$pending(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_slip_encoder$pending


module t_slip_encoder$valid(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_slip_encoder$valid
